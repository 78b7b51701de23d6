#!/usr/bin/env bash
# The systemd unit: installs where `cmake --install` puts it, passes `systemd-analyze verify`
# (with ExecStart pointed at the built binary), and keeps its hardening.
set -euo pipefail
build_dir=$1
source_dir=$2
binary=$3
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

DESTDIR="$stage" cmake --install "$build_dir" --prefix /usr >/dev/null
for f in usr/bin/cdcwatch usr/lib/systemd/system/cdcwatch.service etc/cdcwatch/cdcwatch.yml \
         usr/share/cdcwatch/alerts/rules.yml usr/share/doc/cdcwatch/README.md; do
  [ -e "$stage/$f" ] || { echo "FAIL: cmake --install did not install /$f"; exit 1; }
done
"$stage/usr/bin/cdcwatch" check-config "$stage/etc/cdcwatch/cdcwatch.yml" >/dev/null \
  || { echo "FAIL: the shipped /etc/cdcwatch/cdcwatch.yml is not a valid config"; exit 1; }

unit="$stage/cdcwatch.service"
sed "s|/usr/bin/cdcwatch|$binary|g" "$source_dir/deploy/systemd/cdcwatch.service" > "$unit"
if command -v systemd-analyze >/dev/null; then
  problems=$(systemd-analyze verify "$unit" 2>&1 | grep -v -e "Failed to connect to bus" -e "^$" || true)
  [ -z "$problems" ] || { echo "FAIL: systemd-analyze verify: $problems"; exit 1; }
fi
for directive in "ProtectSystem=strict" "StateDirectory=cdcwatch" "Restart=on-failure" \
                 "NoNewPrivileges=yes" "DynamicUser=yes" "ExecReload=/bin/kill -HUP"; do
  grep -q "^$directive" "$unit" || { echo "FAIL: unit lacks $directive"; exit 1; }
done
echo "systemd unit: 1 passed, 0 failed"
