#!/usr/bin/env python3
"""The pipeline page (issue 17) in a real browser: headless chromium (cdp_browser.py) opens
http://127.0.0.1:PORT/ of a cdcwatch watching the pipeline simulator (demo-pipeline --no-drill,
driven by typed commands as scripts/demo is). Checks, each failing on a page that does not do it:
- every pipeline of /api/pipelines is drawn with its six hops in order, its freshness and version;
- `break sink` turns the sink hop failing without a reload (a marker set on the window survives), the firing incident shows with its runbook link, `heal` turns it ok again;
- no console error, uncaught exception or failed load while the agent answers;
- after `quit` the page says the agent is not answering.
- sparklines (GET /api/pipelines/history) for the freshness and every hop once two samples exist;
- at a phone's width in dark mode it fits without sideways scrolling and is dark.
A screenshot per state goes to SCREENSHOT_DIR (healthy.png, sink-failing.png, healed.png,
healed-phone-dark.png, agent-down.png).

Usage: page_test.py DEMO_PIPELINE CDCWATCH SOURCE_DIR SCREENSHOT_DIR
"""
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
sys.path.insert(0, str(here.parent / "demo"))
import cdp_browser  # noqa: E402
import demo_driver  # noqa: E402

demo, cdcwatch, source, shots = sys.argv[1:5]
os.makedirs(shots, exist_ok=True)
failures = []
HOPS = ["source", "slot", "capture", "kafka", "sink", "warehouse"]
# What the page draws, read back from the DOM.
DRAWN = """document.getElementById('agent-state') === null ? 'null' : JSON.stringify({
  marker: window.__cdcwatchNoReload || null,
  state: document.getElementById('agent-state').dataset.state,
  version: document.getElementById('version').textContent,
  pipelines: [...document.querySelectorAll('.pipeline')].map(p => ({
    name: p.dataset.pipeline,
    freshness: p.querySelector('.freshness').textContent,
    sparkline: p.querySelector('.pipeline-head svg.sparkline polyline') !== null,
    hops: [...p.querySelectorAll('.hop')].map(h => ({hop: h.dataset.hop, status: h.dataset.status,
                                                    sparkline: h.querySelector('svg.sparkline polyline') !== null,
                                                    text: h.textContent, focusable: h.tabIndex === 0}))})),
  alerts: [...document.querySelectorAll('.alert')].map(a => ({alert: a.dataset.alert, text: a.textContent,
    runbook: (a.querySelector('a.runbook') || {}).href || null})),
  probes: document.querySelectorAll('#probes tbody tr').length})"""


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


seen_events = []  # every DevTools event, for the console check


def drawn(browser):
    seen_events.extend(browser.drain_events())
    return json.loads(browser.evaluate(DRAWN))


def sink_status(page, pipeline):
    for p in page["pipelines"]:
        if p["name"] == pipeline:
            return next((h["status"] for h in p["hops"] if h["hop"] == "sink"), None)
    return None


def wait_for(browser, condition, within, what):
    deadline = time.monotonic() + within
    page = None
    while time.monotonic() < deadline:
        page = drawn(browser)
        if page and condition(page):
            return page
        time.sleep(0.5)
    failures.append("the page did not show %s within %d s; it showed %s" % (what, within, page))
    return None


def page_problems(events):
    """Console errors, uncaught exceptions and failed loads among DevTools events."""
    problems = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append("uncaught: %s" % params["exceptionDetails"].get("text"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append("console.%s: %s" % (params["type"], params.get("args")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            problems.append("log: %s" % params["entry"].get("text"))
    return problems


def pipelines_listed(url, within):
    """The names /api/pipelines lists once the pipeline stage has run (empty before)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        names = [p["name"] for p in json.loads(urllib.request.urlopen(url, timeout=10).read())["pipelines"]]
        if names:
            return names
        time.sleep(0.5)
    return []


def phone_in_dark_mode(browser):
    """A phone's width with the system in dark mode: the page fits without sideways scrolling and
    takes the dark palette."""
    browser.send("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1,
                                                         "mobile": True})
    browser.send("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    fits = browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    background = browser.evaluate("getComputedStyle(document.body).backgroundColor")
    browser.screenshot(os.path.join(shots, "healed-phone-dark.png"))
    check(fits, "the page scrolls sideways on a 390 px wide phone")
    check(background == "rgb(18, 19, 20)", "dark mode not taken: body background %s" % background)
    browser.send("Emulation.clearDeviceMetricsOverride")
    browser.send("Emulation.setEmulatedMedia", {"features": []})


def drive(run, browser, port):
    base = "http://127.0.0.1:%d" % port
    names = pipelines_listed(base + "/api/pipelines", 60)
    if not check(names, "/api/pipelines listed no pipeline within 60 s"):
        return
    browser.navigate(base + "/")
    page = wait_for(browser, lambda p: p["state"] == "live" and len(p["pipelines"]) == len(names), 30,
                    "every pipeline, live")
    if not page:
        return
    browser.evaluate("window.__cdcwatchNoReload = 'set before the fault'")
    for pipeline in page["pipelines"]:
        check([h["hop"] for h in pipeline["hops"]] == HOPS, "pipeline %s hops drawn: %s" % (pipeline["name"], pipeline["hops"]))
        check(all(h["focusable"] for h in pipeline["hops"]), "hops are not keyboard-focusable")
        check(all(h["status"] in h["text"] for h in pipeline["hops"]), "a hop's status is not written as text")
    check(sorted(p["name"] for p in page["pipelines"]) == sorted(names), "pipelines drawn %s, API %s" % (page["pipelines"], names))
    check(page["version"] not in ("", "–"), "the agent's version is not shown")
    check(page["probes"] > 0, "probe health table is empty")
    healthy = wait_for(browser, lambda p: all(sink_status(p, n) == "ok" for n in names), 120, "every sink hop ok")
    browser.screenshot(os.path.join(shots, "healthy.png"))
    if not healthy:
        return

    run.type("break sink")
    failing = wait_for(browser, lambda p: any(sink_status(p, n) == "failing" for n in names) and p["alerts"],
                       240, "a failing sink hop and a firing incident")
    browser.screenshot(os.path.join(shots, "sink-failing.png"))
    if failing:
        check(failing["marker"] == "set before the fault", "the page reloaded to show the fault")
        check(all(a["runbook"] and a["runbook"].startswith("file://" + source + "/runbooks/") for a in failing["alerts"]),
              "an incident without its runbook link: %s" % failing["alerts"])
        runbook = failing["alerts"][0]["runbook"][len("file://"):] if failing["alerts"][0]["runbook"] else ""
        check(os.path.isfile(runbook), "the runbook link %s names no file" % runbook)

    run.type("heal")
    healed = wait_for(browser, lambda p: all(sink_status(p, n) == "ok" for n in names), 240, "the sink hop ok again")
    if healed:
        check(healed["marker"] == "set before the fault", "the page reloaded to show the heal")
    # Two history samples (10 s apart) draw a line for the freshness and every hop with a reading.
    wait_for(browser, lambda p: all(pipe["sparkline"] and all(h["sparkline"] for h in pipe["hops"])
                                    for pipe in p["pipelines"]), 60, "sparklines for freshness and every hop")
    browser.screenshot(os.path.join(shots, "healed.png"))
    phone_in_dark_mode(browser)
    seen_events.extend(browser.drain_events())
    problems = page_problems(seen_events)
    check(not problems, "console problems while the agent answered: %s" % problems)

    run.type("quit")
    run.stop(60)
    wait_for(browser, lambda p: p["state"] == "down", 30, "the agent not answering")
    browser.screenshot(os.path.join(shots, "agent-down.png"))


def main():
    # The demo listens on 9720 or the next free port, and names it.
    run = demo_driver.Demo(demo, cdcwatch, source, "--no-drill")
    run.failures = failures
    browser = None
    try:
        listening = run.expect(r"watches the pipeline on 127\.0\.0\.1:(\d+);", 120)
        if listening and run.expect(r">>> Healthy: orders flow", 180):
            port = int(listening.group(1))
            browser = cdp_browser.Browser()
            browser.open_page()
            drive(run, browser, port)
    finally:
        if browser:
            browser.close()
        run.finish()
    for failure in failures:
        print("FAIL:", failure)
    print("page: %d passed, %d failed" % (1 if not failures else 0, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
