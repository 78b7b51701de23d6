#!/usr/bin/env python3
"""The runbooks: every rule in alerts/rules.yml has its runbook and every runbook has a rule, each
has the sections an on-call engineer expects in the same order, and every relative link resolves.
(That every cdcwatch_ metric they name is exported is checked against a running agent by
exported_metrics_test.)

Usage: runbooks_test.py SOURCE_DIR
"""
import re
import sys
from pathlib import Path

import yaml

source = Path(sys.argv[1])
failures = []
SECTIONS = ["What fired and what it means", "Impact on users of the data", "First five minutes",
            "Likely causes, in order", "Remediation", "How to verify recovery", "When and whom to escalate"]

rules = yaml.safe_load((source / "alerts" / "rules.yml").read_text())["rules"]
named = {}
for rule in rules:
    path = source / rule["runbook"]
    named[path.name] = rule["alert"]
    if not rule["runbook"].startswith("runbooks/") or not path.exists():
        failures.append("%s: runbook %s does not exist" % (rule["alert"], rule["runbook"]))

# The page of a grouped pipeline incident (alerts.grouping: pipeline) is no rule of its own.
named["pipeline-incident.md"] = "CdcPipelineIncident"

runbooks = [p for p in sorted((source / "runbooks").glob("*.md")) if p.name != "README.md"]
for page in runbooks:
    text = page.read_text()
    if page.name not in named:
        failures.append("%s belongs to no rule in alerts/rules.yml" % page.name)
        continue
    if not text.startswith("# " + named[page.name]):
        failures.append("%s: the title does not name its alert %s" % (page.name, named[page.name]))
    headings = [h[:-len(": drop, recreate and re-snapshot")] if h.endswith(": drop, recreate and re-snapshot") else h
                for h in re.findall(r"^## (.+)$", text, re.M)]
    if headings != SECTIONS:
        failures.append("%s: sections %s, expected %s" % (page.name, headings, SECTIONS))
    if "```" not in text and not re.search(r"`(curl|kcat|kafka-|SELECT|ALTER|psql|timedatectl|chronyc|systemctl|kubectl)", text):
        failures.append("%s: no exact command to run" % page.name)

index = (source / "runbooks" / "README.md").read_text()
for page in runbooks:
    if "(%s)" % page.name not in index:
        failures.append("runbooks/README.md does not list %s" % page.name)

for page in list((source / "runbooks").glob("*.md")):
    for target in re.findall(r"\]\(([^)]+)\)", page.read_text()):
        if re.match(r"^[a-z]+://", target) or target.startswith("#"):
            continue
        if not (page.parent / target.split("#")[0]).resolve().exists():
            failures.append("%s: link to %s does not resolve" % (page.name, target))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("%d runbooks for %d rules: ok" % (len(runbooks), len(rules)))
