#!/usr/bin/env python3
"""The exported Prometheus rules: committed file == `cdcwatch rules export`, `promtool check rules`
passes, and a generated `promtool test rules` case per rule proves it fires on a breaching series
and stays silent on a healthy one.

Usage: prometheus_rules_test.py CDCWATCH_BINARY SOURCE_DIR
"""
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def humanize(v):
    # Prometheus template function `humanize` (template/template.go).
    if v == 0 or math.isnan(v) or math.isinf(v):
        return "%.4g" % v
    if abs(v) >= 1:
        prefix = ""
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"]:
            if abs(v) < 1000:
                break
            prefix = p
            v /= 1000
        return "%.4g%s" % (v, prefix)
    raise ValueError("values below 1 are not used by these tests")


def humanize_duration(v):
    # Prometheus template function `humanizeDuration`, for whole seconds >= 1.
    assert v >= 1 and v == int(v)
    d = int(v)
    seconds, minutes, hours, days = d % 60, (d // 60) % 60, (d // 3600) % 24, d // 86400
    if days:
        return "%dd %dh %dm %ds" % (days, hours, minutes, seconds)
    if hours:
        return "%dh %dm %ds" % (hours, minutes, seconds)
    if minutes:
        return "%dm %ds" % (minutes, seconds)
    return "%.4gs" % v


def go_float(v):
    return str(int(v)) if v == int(v) else repr(v)


def render(template, labels, value):
    text = template
    for placeholder, format_value in [("{{ $value | humanize }}", humanize),
                                      ("{{ $value | humanizeDuration }}", humanize_duration),
                                      ("{{ $value }}", go_float)]:
        if placeholder in text:
            text = text.replace(placeholder, format_value(value))
    return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels.get(m.group(1), ""), text)


def parse_seconds(text):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)", text)
    return int(m.group(1)) * units[m.group(2)]


def threshold_of(expr):
    m = re.match(r".* (>|<|==) ([0-9.e+-]+)", expr.split(" or ")[0])
    return m.group(1), float(m.group(2))


def series_and_labels(rule):
    expr = rule["expr"]
    selector = expr.split(" ")[0]
    metric = selector.split("{")[0]
    labels = dict(re.findall(r'(\w+)="([^"]*)"', selector.split(" ")[0])) if "{" in selector else {}
    for name in re.findall(r"\$labels\.(\w+)", rule["annotations"]["summary"]):
        labels.setdefault(name, name + "-1")
    return metric, labels


def case_for(rule):
    op, threshold = threshold_of(rule["expr"])
    bad = {">": threshold * 2 + 1, "<": threshold / 2, "==": threshold}[op]
    good = {">": max(threshold - 1, 0) if threshold > 0 else 0, "<": threshold * 2 + 1,
            "==": 1 if threshold == 0 else 0}[op]
    if op == ">" and threshold == 0:
        good = 0
    metric, labels = series_and_labels(rule)
    wait = parse_seconds(rule.get("for", "0s"))
    eval_minutes = wait // 60 + 2
    selector = metric + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"
    expected_labels = dict(labels)
    expected_labels.update(rule["labels"])
    annotations = {k: render(v, labels, bad) for k, v in rule["annotations"].items()}
    firing = {
        "interval": "1m",
        "input_series": [{"series": selector, "values": "%s+0x%d" % (go_float(bad), eval_minutes + 5)}],
        "alert_rule_test": [{"eval_time": "%dm" % eval_minutes, "alertname": rule["alert"],
                             "exp_alerts": [{"exp_labels": expected_labels,
                                             "exp_annotations": annotations}]}],
    }
    healthy = {
        "interval": "1m",
        "input_series": [{"series": selector, "values": "%s+0x%d" % (go_float(good), eval_minutes + 5)}],
        "alert_rule_test": [{"eval_time": "%dm" % eval_minutes, "alertname": rule["alert"],
                             "exp_alerts": []}],
    }
    return [firing, healthy]


def main():
    binary, source = sys.argv[1], Path(sys.argv[2])
    committed = source / "alerts/prometheus/cdcwatch-rules.yml"
    exported = subprocess.run([binary, "rules", "export", "--format", "prometheus"],
                              check=True, capture_output=True, text=True).stdout
    if exported != committed.read_text():
        sys.exit("alerts/prometheus/cdcwatch-rules.yml is out of date with alerts/rules.yml: run\n"
                 "  cdcwatch rules export --format prometheus > alerts/prometheus/cdcwatch-rules.yml")
    subprocess.run(["promtool", "check", "rules", str(committed)], check=True)

    rules = yaml.safe_load(exported)["groups"][0]["rules"]
    tests = []
    for rule in rules:
        if rule["expr"].startswith("absent("):
            continue
        tests.extend(case_for(rule))
    if len(tests) < 2 * 20:
        sys.exit("expected a firing and a healthy case for at least 20 rules, got %d" % len(tests))
    with tempfile.TemporaryDirectory() as tmp:
        rules_copy = Path(tmp) / "cdcwatch-rules.yml"
        rules_copy.write_text(exported)
        test_file = Path(tmp) / "cdcwatch-rules.test.yml"
        test_file.write_text(yaml.safe_dump({"rule_files": [str(rules_copy)],
                                             "evaluation_interval": "1m", "tests": tests}))
        result = subprocess.run(["promtool", "test", "rules", str(test_file)],
                                capture_output=True, text=True)
        print(result.stdout[-4000:], result.stderr[-4000:])
        if result.returncode != 0:
            sys.exit("promtool test rules failed")
    print("ok: %d rules, %d promtool cases" % (len(rules), len(tests)))


if __name__ == "__main__":
    main()
