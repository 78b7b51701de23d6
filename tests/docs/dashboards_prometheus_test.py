#!/usr/bin/env python3
"""Every dashboard panel against a real Prometheus (Debian's prometheus 2.42): it scrapes cdcwatch
watching the pipeline simulator (demo-pipeline --no-drill, driven by typed commands), loads the
rules `cdcwatch rules export` writes for that agent's config (the drill's thresholds), and a drill
breaks the sink, fails the sink's task and takes Kafka down, healing after each. Checked:

- the exported rules fire on each fault (ALERTS in Prometheus);
- every panel's query (template variables expanded as Grafana does for "All") returns data in at
  least one phase, or the panel is listed in dashboards/README.md as showing only bad states;
- no query selects or groups by a label its metrics lack, and every {{label}} of a legend is on
  the series the query returns;
- `promtool check metrics` accepts the live /metrics, the deprecated
  cdcwatch_kafka_consumer_group_committed_offset_sum series included (issue #22).

Usage: dashboards_prometheus_test.py DEMO_PIPELINE CDCWATCH SOURCE_DIR
"""
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demo"))
import demo_driver  # noqa: E402

demo_binary, cdcwatch, source = sys.argv[1], sys.argv[2], Path(sys.argv[3])
failures = []
RATE_INTERVAL = "15s"  # Grafana's $__rate_interval for a 1 s scrape is 4 scrapes; 15 s is safely more


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def free_port(start):
    """A free loopback port at or above `start` (below 32768, as the project's tests use)."""
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port from %d" % start)


def get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return json.loads(reply.read().decode())


class Prometheus:
    """Debian's Prometheus server on loopback with its own storage, scraping one target each second."""

    def __init__(self, work, target, rules_text):
        self.port = free_port(19090)
        (work / "rules.yml").write_text(rules_text)
        (work / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "rule_files: [rules.yml]\n"
            "scrape_configs:\n  - job_name: cdcwatch\n    static_configs: [{targets: ['%s']}]\n" % target)
        self.log = open(work / "prometheus.log", "w")
        self.process = subprocess.Popen(
            ["prometheus", "--config.file=%s" % (work / "prometheus.yml"), "--storage.tsdb.path=%s" % (work / "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = "http://127.0.0.1:%d" % self.port
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                urllib.request.urlopen(self.url + "/-/ready", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("Prometheus did not become ready: " + (work / "prometheus.log").read_text())

    def query(self, promql):
        answer = get_json(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        if answer.get("status") != "success":
            failures.append("Prometheus rejects %r: %s" % (promql, answer))
            return []
        return answer["data"]["result"]

    def label_names(self, metric):
        answer = get_json(self.url + "/api/v1/series?" + urllib.parse.urlencode(
            {"match[]": metric, "start": time.time() - 600}))
        series = answer.get("data", [])
        return None if not series else set().union(*(s.keys() for s in series)) - {"__name__"}

    def wait_for(self, promql, within):
        """Whether `promql` returns data within `within` seconds (polled each second)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.query(promql):
                return True
            time.sleep(1)
        return False

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def panels():
    """(board, title, [(expr, legend)]) for every panel of every committed dashboard."""
    for board in sorted((source / "dashboards").glob("*.json")):
        for panel in json.loads(board.read_text())["panels"]:
            if panel["type"] != "row":
                yield board.name, panel["title"], [(t["expr"], t.get("legendFormat", "")) for t in panel["targets"]]


def expand(expr):
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr.replace("$__rate_interval", RATE_INTERVAL))


def bad_state_panels():
    """The panels dashboards/README.md lists as showing only bad states: its table's rows."""
    text = (source / "dashboards" / "README.md").read_text()
    text = text[text.find("## Panels that show only bad states"):]
    return set(re.findall(r"^\| `(cdcwatch-[\w-]+\.json)` \| ([^|]+?) \|", text, re.M))


def check_labels(prometheus, where, expr):
    """Every label a selector matches on, or a by/on/without groups by, is on its metrics."""
    metric_labels = {}
    for metric in set(re.findall(r"\b(cdcwatch_\w+)", expr)):
        metric_labels[metric] = prometheus.label_names(metric)
    for metric, matchers in re.findall(r"\b(cdcwatch_\w+)\{([^}]*)\}", expr):
        known = metric_labels.get(metric)
        for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers):
            check(known is None or label in known,
                  "%s: selects label %r that %s lacks (it has %s)" % (where, label, metric, sorted(known or [])))
    everything = set().union(*(k for k in metric_labels.values() if k)) | {"le"}
    for group in re.findall(r"\b(?:by|on|without|ignoring)\s*\(([^)]*)\)", expr):
        for label in [g.strip() for g in group.split(",") if g.strip()]:
            check(label in everything, "%s: groups by label %r that none of its metrics has" % (where, label))


def evaluate_panels(prometheus, phase, answered):
    for board, title, targets in panels():
        for expr, legend in targets:
            result = prometheus.query(expand(expr))
            if not result:
                continue
            answered.add((board, title))
            for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend):
                check(any(label in series["metric"] for series in result),
                      "%s / %s (%s): legend {{%s}} names a label its series lack" % (board, title, phase, label))


def check_live_metrics(metrics_url):
    text = urllib.request.urlopen(metrics_url, timeout=10).read()
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
    problems = [line for line in (checked.stdout + checked.stderr).decode().splitlines()
                if line.strip()]
    check(not problems, "promtool check metrics on the live /metrics:\n  " + "\n  ".join(problems))


def drill(run, prometheus, answered):
    phases = [("break sink", ["CdcConsumerGroupStalled", "CdcCanaryStaleAtWarehouse"]),
              ("fail sink", ["CdcConnectorTaskFailed"]),
              ("break kafka", ["CdcKafkaDown"])]
    for command, alerts in phases:
        run.type(command)
        for alert in alerts:
            check(prometheus.wait_for('ALERTS{alertname="%s", alertstate="firing"}' % alert, 90),
                  "the exported %s did not fire in Prometheus on `%s`" % (alert, command))
        evaluate_panels(prometheus, command, answered)
        run.type("heal")
        time.sleep(3)  # let the pipeline catch up before the next fault; not an assertion


def main():
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        agent_port = free_port(19720)
        run = demo_driver.Demo(str(demo_binary), cdcwatch, str(source), "--no-drill", "--port", str(agent_port))
        run.failures = failures
        prometheus = None
        try:
            config = run.expect(r"its config: (\S+)", 120)
            if not config or not run.expect(r">>> Healthy: orders flow", 180):
                return
            exported = subprocess.run([cdcwatch, "rules", "export", "--format", "prometheus", "--config", config.group(1)],
                                      capture_output=True, text=True, check=True).stdout
            prometheus = Prometheus(work, "127.0.0.1:%d" % agent_port, exported)
            check(prometheus.wait_for('up{job="cdcwatch"} == 1', 30), "Prometheus does not scrape the agent")
            time.sleep(5)  # a few scrapes for rate() and increase(); not an assertion
            answered = set()
            evaluate_panels(prometheus, "healthy", answered)
            drill(run, prometheus, answered)
            check_live_metrics("http://127.0.0.1:%d/metrics" % agent_port)
            for board, title, targets in panels():
                for expr, _ in targets:
                    check_labels(prometheus, "%s / %s" % (board, title), expand(expr))
            all_panels = {(board, title) for board, title, _ in panels()}
            listed = bad_state_panels()
            for missing in sorted(listed - all_panels):
                failures.append("dashboards/README.md lists %s / %s, which no dashboard has" % missing)
            for silent in sorted(all_panels - answered - listed):
                failures.append("%s / %s returned no data during the drill and is not listed in "
                                "dashboards/README.md as showing only bad states" % silent)
            run.type("quit")
            check(run.stop(60) == 0, "the demo did not exit cleanly")
        finally:
            run.finish()
            if prometheus:
                prometheus.stop()


main()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("dashboards on Prometheus: every panel answers or is listed, labels exist, metrics lint clean: ok")
