#!/usr/bin/env python3
"""The exported Prometheus rules link their runbooks with absolute URLs: `--runbook-base-url`
wins, then the config's agent.runbook_base_url, then file:///usr/share/cdcwatch/ (where the
package installs runbooks/, the base the committed files use); a relative base is a usage error;
each link names the rule's runbook from alerts/rules.yml, which exists.

Usage: rules_export_runbooks_test.py CDCWATCH_BINARY SOURCE_DIR
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

binary, source = sys.argv[1], Path(sys.argv[2])
failures = []
runbooks = {r["alert"]: r["runbook"] for r in yaml.safe_load((source / "alerts" / "rules.yml").read_text())["rules"]}


def links(text):
    return {r["alert"]: r["annotations"]["runbook_url"] for r in yaml.safe_load(text)["groups"][0]["rules"]}


def export(*args):
    done = subprocess.run([binary, "rules", "export", "--format", "prometheus", *args], capture_output=True, text=True)
    if done.returncode != 0:
        failures.append("rules export %s exited %d: %s" % (" ".join(args), done.returncode, done.stderr))
    return done.stdout


def expect_base(what, text, base):
    got = links(text)
    if set(got) != set(runbooks):
        failures.append("%s: alerts %s, expected those of alerts/rules.yml" % (what, sorted(got)))
    for alert, url in got.items():
        if url != base + runbooks.get(alert, "?"):
            failures.append("%s: %s links %s, expected %s%s" % (what, alert, url, base, runbooks.get(alert)))


flag_base = "https://git.example.net/ops/cdcwatch/blob/main/"
config_base = "https://runbooks.example.org/cdcwatch/"
installed = "file:///usr/share/cdcwatch/"
expect_base("--runbook-base-url", export("--runbook-base-url", flag_base), flag_base)
expect_base("no base given", export(), installed)
with tempfile.TemporaryDirectory() as work:
    config = Path(work) / "cdcwatch.yml"
    config.write_text("agent:\n  runbook_base_url: %s\n" % config_base)
    expect_base("agent.runbook_base_url", export("--config", str(config)), config_base)
    expect_base("flag over config", export("--config", str(config), "--runbook-base-url", flag_base), flag_base)
    config.write_text("agent:\n  interval: 15s\n")
    expect_base("config without runbook_base_url", export("--config", str(config)), installed)

relative = subprocess.run([binary, "rules", "export", "--format", "prometheus", "--runbook-base-url", "runbooks/"],
                          capture_output=True, text=True)
if relative.returncode != 2 or "absolute URL" not in relative.stderr:
    failures.append("a relative --runbook-base-url: exit %d, stderr %r; expected exit 2 naming an absolute URL"
                    % (relative.returncode, relative.stderr[:200]))

for committed in ["alerts/prometheus/cdcwatch-rules.yml"]:
    expect_base(committed, (source / committed).read_text(), installed)
for runbook in runbooks.values():
    if not (source / runbook).exists():
        failures.append("the package would install no %s: it is missing from the repository" % runbook)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("%d rules link absolute runbook URLs: ok" % len(runbooks))
