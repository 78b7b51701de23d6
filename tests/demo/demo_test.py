#!/usr/bin/env python3
"""The demo as a user drives it, through its terminal (stdin and stdout of demo-pipeline, the
program scripts/demo runs):

1. With 9720 taken (this test holds it, or another program already does), the demo says so and
   cdcwatch serves /metrics on the port it names instead. It states the thresholds in force.
   Typed `help`, an unknown word, `break kafka`, `status`, `heal` and `quit` work: the Kafka page
   arrives once as one block with its meaning and runbook, `status` shows the fault and the open
   page, `heal` resolves it in one line, and the agent's own log stays out of the terminal.
2. A fault command typed during the narrated drill takes over: the drill stops, its own fault is
   healed, the typed one is in force.
3. With an explicit --port that another socket holds, the demo does not wait on the dead agent:
   it exits non-zero and prints cdcwatch's error naming the address.

Usage: demo_test.py DEMO_PIPELINE CDCWATCH SOURCE_DIR
"""
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_driver  # noqa: E402

demo, cdcwatch, source = sys.argv[1:4]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def Demo(*extra, stdin=subprocess.PIPE):
    run = demo_driver.Demo(demo, cdcwatch, source, *extra, stdin=stdin)
    run.failures = failures  # one list: every missed expectation fails the test
    return run


def hold_port(port):
    """A plain listener on 127.0.0.1:port (no SO_REUSEPORT, so no one shares it), or None if taken."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        return holder
    except OSError:
        holder.close()
        return None


def driven_by_typed_commands():
    held = hold_port(9720)  # None: another program holds 9720 already, which is the same case
    run = Demo("--no-drill")
    try:
        moved = run.expect(r"Port 9720 is taken .* cdcwatch listens on (\d+) instead", 120)
        run.expect(r"CdcKafkaDown +equals 0 for 2s +\[equals 0 for 2m\]", 10)
        if not run.expect(r">>> Healthy: orders flow", 180) or not moved:
            return
        port = int(moved.group(1))
        check(port != 9720, "the demo chose the taken port 9720")
        metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
        check("cdcwatch_canary_freshness_seconds" in metrics, "cdcwatch does not serve /metrics on port %d" % port)
        run.type("help")
        run.expect(r"^  slow warehouse ", 10)
        run.type("bogus")
        run.expect(r"Unknown command 'bogus'", 10)
        run.type("Break  Kafka")
        run.expect(r">>> Injected: all three Kafka brokers go down", 10)
        run.expect(r"\] PAGE critical  CdcKafkaDown  \(stage: kafka\)", 90)
        run.expect(r"Fires in this demo at: equals 0 for 2s \(shipped: equals 0 for 2m\)", 5)
        run.expect(r"What it means: ", 5)
        run.expect(r"Runbook: file://%s/runbooks/kafka-down\.md" % re.escape(source), 5)
        run.type("status")
        run.expect(r"break kafka: all three Kafka brokers go down", 10)
        run.expect(r"^    CdcKafkaDown \(kafka=msk\), open \d+ s", 10)
        run.type("heal")
        run.expect(r">>> Healed every fault", 10)
        run.expect(r"\] RESOLVED CdcKafkaDown \(kafka=msk\), open \d+ s", 90)
        run.type("quit")
        code = run.stop()
        check(code == 0, "quit: the demo exited %s, expected 0" % code)
        text = run.text()
        check(len(re.findall(r"PAGE \w+ +CdcKafkaDown", text)) == 1, "the CdcKafkaDown page printed %d times"
              % len(re.findall(r"PAGE \w+ +CdcKafkaDown", text)))
        check(" info " not in text and "delivered" not in text, "the agent's log reached the terminal")
    finally:
        run.finish()
        if held:
            held.close()


def agent_that_cannot_listen():
    held = hold_port(0)
    port = held.getsockname()[1]
    run = Demo("--no-drill", "--port", str(port), stdin=subprocess.DEVNULL)
    try:
        code = run.stop(120)
        check(code not in (None, 0), "with port %d held, the demo exited %s, expected non-zero" % (port, code))
        check(re.search(r"cdcwatch exited with code 3", run.text()), "the demo did not say cdcwatch exited")
        check("cannot listen on 127.0.0.1:%d" % port in run.text(), "the agent's error naming the address is missing")
    finally:
        held.close()
        run.finish()


def typed_command_takes_over_the_drill():
    run = Demo()
    try:
        if not run.expect(r">>> The narrated drill starts in 10 s", 240):
            return
        run.expect(r">>> Injecting \(as `break sink` would\)", 30)
        run.type("break capture")
        run.expect(r">>> You drive now: the drill stops here and its fault is healed", 10)
        run.expect(r">>> Injected: capture stops", 5)
        run.type("status")
        run.expect(r"faults in force:", 10)
        faults = run.expect(r"^    (break|fail|slow) ", 5)
        check(faults and faults.group(0).strip() == "break", "status lists an unexpected fault first")
        run.expect(r"^  open pages:", 5)
        check("break sink:" not in run.text(), "the drill's sink fault is still in force after the takeover")
        run.type("quit")
        check(run.stop() == 0, "quit after the takeover did not exit 0")
    finally:
        run.finish()


agent_that_cannot_listen()
driven_by_typed_commands()
typed_command_takes_over_the_drill()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("demo: port fallback, typed commands, pages once, dead agent reported: ok")
