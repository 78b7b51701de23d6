#!/usr/bin/env python3
"""The Grafana dashboards: the committed JSON is what dashboards/build.py makes, each is a
Grafana dashboard model Grafana 9 and 10 import (datasource as a variable, unique panel ids,
panels inside the 24-column grid, units on byte and second panels), and every PromQL expression
parses with promtool once the template variables are substituted as Grafana would.

Usage: dashboards_test.py SOURCE_DIR
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

source = Path(sys.argv[1])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


boards = sorted((source / "dashboards").glob("*.json"))
check(len(boards) >= 4, "expected the overview and three drill-down dashboards, found %d" % len(boards))

with tempfile.TemporaryDirectory() as built:
    subprocess.run([sys.executable, str(source / "dashboards" / "build.py"), built], check=True)
    for board in boards:
        fresh = Path(built) / board.name
        check(fresh.exists() and fresh.read_text() == board.read_text(),
              "%s differs from dashboards/build.py's output: run python3 dashboards/build.py" % board.name)

expressions = []
for board in boards:
    model = json.loads(board.read_text())
    name = board.name
    for key in ("uid", "title", "panels", "templating", "schemaVersion", "time"):
        check(key in model, "%s: missing %s" % (name, key))
    check(36 <= model.get("schemaVersion", 0) <= 39, "%s: schemaVersion outside Grafana 9/10" % name)
    variables = {v["name"]: v for v in model["templating"]["list"]}
    check(variables.get("datasource", {}).get("type") == "datasource", "%s: no datasource variable" % name)
    text = board.read_text()
    for uid in re.findall(r'"uid":\s*"([^"]*)"', text):
        check(uid in ("${datasource}", model["uid"]), "%s: hard-coded datasource uid %s" % (name, uid))
    ids = [p["id"] for p in model["panels"]]
    check(len(ids) == len(set(ids)), "%s: duplicate panel ids" % name)
    for panel in model["panels"]:
        where = "%s panel %r" % (name, panel.get("title"))
        grid = panel.get("gridPos", {})
        check(all(k in grid for k in "hwxy") and grid["x"] + grid["w"] <= 24, where + ": gridPos outside 24 columns")
        if panel["type"] == "row":
            continue
        check(panel.get("datasource", {}).get("uid") == "${datasource}", where + ": datasource is not ${datasource}")
        check(panel.get("description"), where + ": no description saying what a bad value means")
        unit = panel["fieldConfig"]["defaults"].get("unit")
        for target in panel["targets"]:
            expr = target["expr"]
            expressions.append((where, expr))
            if re.search(r"_bytes\b", expr) and "growth" not in expr:
                check(unit == "bytes", where + ": a bytes metric without unit bytes")
            if re.search(r"_seconds(_bucket)?\b", expr) and "interpolated" not in expr and "rate(cdcwatch_canary_writes" not in expr:
                check(unit == "s", where + ": a seconds metric without unit s")
        for link in panel.get("links", []):
            runbook = link["url"].replace("${runbook_base}", "")
            check((source / runbook).exists(), where + ": runbook link to missing " + runbook)
        for query_var in re.findall(r"\$(\w+)", json.dumps(panel["targets"])):
            check(query_var in variables or query_var.startswith("__"), where + ": unknown variable $" + query_var)

# The runbook links: a visible variable whose default is the base the committed exported rules link
# (scripts/export-rules), never a placeholder organisation.
exported = yaml.safe_load((source / "alerts" / "prometheus" / "cdcwatch-rules.yml").read_text())
exported_bases = {r["annotations"]["runbook_url"][: -len(r["annotations"]["runbook_url"].split("runbooks/")[-1]) - len("runbooks/")]
                  for r in exported["groups"][0]["rules"]}
for board in boards:
    base = {v["name"]: v for v in json.loads(board.read_text())["templating"]["list"]}.get("runbook_base", {})
    default = base.get("current", {}).get("value", "")
    check(base.get("hide") == 0, "%s: the runbook_base variable is hidden; users must see and set it" % board.name)
    check(re.match(r"^[a-z]+://", default) and not re.search(r"your-org|example", default),
          "%s: runbook_base default %r is not an absolute URL free of placeholders" % (board.name, default))
    check({default} == exported_bases,
          "%s: runbook_base %r differs from the exported rules' runbook_url base %s" % (board.name, default, exported_bases))

overview = json.loads((source / "dashboards" / "cdcwatch-overview.json").read_text())
names = {v["name"] for v in overview["templating"]["list"]}
for required in ("source", "kafka", "group", "connect", "connector", "canary"):
    check(required in names, "overview: no $%s variable" % required)

# Substitute template variables as Grafana does for "All" (.*) and the rate interval, then let
# promtool parse every expression as a recording rule.
rules = {"groups": [{"name": "dashboards", "rules": []}]}
for i, (where, expr) in enumerate(expressions):
    promql = expr.replace("$__rate_interval", "5m")
    promql = re.sub(r"\$\{?(\w+)\}?", ".*", promql)
    rules["groups"][0]["rules"].append({"record": "dashboard_expr_%d" % i, "expr": promql})
with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
    yaml.safe_dump(rules, f)
checked = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
check(checked.returncode == 0, "promtool rejects a dashboard expression:\n" + checked.stdout + checked.stderr)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("%d dashboards, %d expressions: ok" % (len(boards), len(expressions)))
