#!/usr/bin/env bash
# deploy/prometheus/: the plain Prometheus scrape config and the Alertmanager route example are
# accepted by Debian's promtool and amtool, the scrape config loads the exported rules from where
# the package installs them, and the Alertmanager example routes on labels the rules carry.
# Usage: prometheus_examples_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
examples=$source_dir/deploy/prometheus
installed_rules=/usr/share/cdcwatch/alerts/prometheus/cdcwatch-rules.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -q "^  - $installed_rules\$" "$examples/prometheus.yml" ||
  { echo "FAIL: prometheus.yml does not load $installed_rules"; exit 1; }
grep -q 'alerts/prometheus/cdcwatch-rules.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/cdcwatch/alerts/prometheus' \
  "$source_dir/CMakeLists.txt" || { echo "FAIL: the package does not install $installed_rules"; exit 1; }
grep -q '"127.0.0.1:9720"' "$examples/prometheus.yml" ||
  { echo "FAIL: prometheus.yml does not scrape agent.listen's default port 9720"; exit 1; }

# promtool also loads every rule file; point it at the repository's copy of the installed one.
sed "s#$installed_rules#$source_dir/alerts/prometheus/cdcwatch-rules.yml#" \
  "$examples/prometheus.yml" >"$work/prometheus.yml"
promtool check config "$work/prometheus.yml" ||
  { echo "FAIL: promtool rejects deploy/prometheus/prometheus.yml"; exit 1; }
amtool check-config "$examples/alertmanager.yml" ||
  { echo "FAIL: amtool rejects deploy/prometheus/alertmanager.yml"; exit 1; }

# Every label the routes match on is one the exported rules set.
for label in $(grep -oE "(group_by: \[[^]]*\]|matchers: \['[a-z_]+)" "$examples/alertmanager.yml" |
               sed -E "s/group_by: \[//; s/\]//; s/matchers: \['//; s/,/ /g"); do
  [ "$label" = alertname ] && continue
  grep -q "^          $label: " "$source_dir/alerts/prometheus/cdcwatch-rules.yml" ||
    { echo "FAIL: alertmanager.yml routes on '$label', a label no exported rule sets"; exit 1; }
done
echo "ok: deploy/prometheus examples accepted by promtool and amtool"
