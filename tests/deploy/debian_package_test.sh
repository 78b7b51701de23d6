#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` builds it from the build tree, it holds the binary, the
# hardened unit, the config as a conffile, and the rules, runbooks and dashboards, and its
# dependencies were computed from the binary's shared libraries.
# Usage: debian_package_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$out" >/dev/null
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/cdcwatch ./usr/lib/systemd/system/cdcwatch.service ./etc/cdcwatch/cdcwatch.yml \
         ./usr/share/cdcwatch/alerts/rules.yml ./usr/share/cdcwatch/alerts/prometheus/cdcwatch-rules.yml \
         ./usr/share/cdcwatch/runbooks/connector-stalled.md \
         ./usr/share/cdcwatch/dashboards/cdcwatch-overview.json; do
  grep -q " $f\$" <<<"$contents" || { echo "FAIL: $f is not in the package"; exit 1; }
done
dpkg-deb -e "$deb" "$out/control"
grep -qx "/etc/cdcwatch/cdcwatch.yml" "$out/control/conffiles" || { echo "FAIL: the config is not a conffile"; exit 1; }
depends=$(dpkg-deb -f "$deb" Depends)
for lib in librdkafka libpq libssl; do
  grep -q "$lib" <<<"$depends" || { echo "FAIL: Depends lacks $lib: $depends"; exit 1; }
done
echo "ok: $(basename "$deb")"
