// The live pipeline page: polls /api/pipelines, its history and /status and redraws in place.
// Text goes in via textContent only: names and reasons come from peers and must never be read as HTML.
"use strict";

const REFRESH_MS = 3000;
const TIMEOUT_MS = 2500;
let lastAnswer = null;  // Date of the last complete answer
let notAnsweringSince = null;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, seconds);
  if (s < 120) return s.toFixed(s < 10 ? 1 : 0) + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  if (s < 172800) return (s / 3600).toFixed(1) + " h";
  return Math.round(s / 86400) + " d";
}

function bytes(value) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = value, i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v.toFixed(0) : v.toFixed(1)) + " " + units[i];
}

function reading(key) {
  if (!key || key.value === null || key.value === undefined) return "no reading";
  if (key.unit === "bytes") return bytes(key.value);
  if (key.unit === "seconds") return duration(key.value);
  if (key.unit === "messages") return Math.round(key.value).toLocaleString() + (Math.round(key.value) === 1 ? " message" : " messages");
  // A unitless reading (PostgreSQL answering: 1) reads better with its metric's name.
  return (key.metric || "").replace(/^cdcwatch_/, "") + " " + key.value;
}

function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date.toLocaleTimeString();
}

function secondsSince(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : (Date.now() - date.getTime()) / 1000;
}

const SVG = "http://www.w3.org/2000/svg";

// The last hour of one series as a small line; samples whose value was unknown are left out.
function sparkline(series, label) {
  const points = ((series && series.points) || []).filter((p) => p[1] !== null);
  if (points.length < 2) return null;
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const values = points.map((p) => p[1]);
  const low = Math.min(...values), high = Math.max(...values);
  const x = (t) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * 100);
  const y = (v) => (high === low ? 12 : 22 - ((v - low) / (high - low)) * 20);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("viewBox", "0 0 100 24");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const unit = {unit: series.unit};
  svg.setAttribute("aria-label", label + ", last " + duration(t1 - t0) + ": " +
      reading({...unit, value: low}) + " to " + reading({...unit, value: high}));
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" "));
  line.setAttribute("vector-effect", "non-scaling-stroke");
  svg.append(line);
  return svg;
}

function hopItem(hop, history) {
  const since = hop.since ? "since " + clock(hop.since) + " (" + duration(hop.for_seconds) + ")" : null;
  const item = el("li", {class: "hop", "data-hop": hop.hop, "data-status": hop.status, tabindex: "0",
                         "aria-label": hop.hop + ": " + hop.status + (hop.reason ? ", " + hop.reason : "")},
      el("div", {class: "hop-name"}, hop.hop),
      el("div", {class: "hop-status"}, hop.status),
      el("div", {class: "hop-reading"}, reading(hop.key_reading)),
      since ? el("div", {class: "hop-since"}, since) : null,
      hop.reason ? el("div", {class: "hop-reason"}, hop.reason) : null,
      sparkline(history && history.hops && history.hops[hop.hop], hop.hop));
  item.title = hop.reason || "";
  return item;
}

function pipelineSection(pipeline, history) {
  const fresh = duration(pipeline.freshness_seconds);
  const head = el("div", {class: "pipeline-head"},
      el("h3", {}, pipeline.name),
      el("div", {class: "freshness", "data-freshness": fresh === null ? "" : String(pipeline.freshness_seconds)},
          fresh === null ? "freshness unknown" : fresh, " ", el("small", {}, "end-to-end freshness")),
      sparkline(history && history.freshness, "end-to-end freshness"),
      el("div", {class: "hop-status", "data-status": pipeline.status}, "pipeline " + pipeline.status));
  return el("article", {class: "pipeline", "data-pipeline": pipeline.name, "aria-label": "pipeline " + pipeline.name},
      head, pipeline.formed ? el("p", {class: "formed"}, pipeline.formed) : null,
      el("ol", {class: "hops", "aria-label": "hops, upstream first"}, ...(pipeline.hops || []).map((hop) => hopItem(hop, history))));
}

function drawPipelines(pipelines, history) {
  const box = document.getElementById("pipelines");
  const kept = (history && history.pipelines) || {};
  box.replaceChildren(...(pipelines.length ? pipelines.map((p) => pipelineSection(p, kept[p.name]))
                                           : [el("p", {class: "empty"}, "No pipeline reported yet.")]));
}

function alertItem(alert) {
  const labels = Object.entries(alert.labels || {}).map(([k, v]) => k + "=" + v).join(", ");
  const age = duration(secondsSince(alert.since));
  return el("li", {class: "alert", "data-alert": alert.alert, "data-severity": alert.severity},
      el("div", {class: "alert-title"}, alert.severity + " · " + alert.alert),
      el("div", {}, alert.summary || ""),
      el("div", {class: "alert-meta"}, (age ? "firing for " + age : "firing") + (labels ? " · " + labels : ""),
          alert.runbook_url ? " · " : null,
          alert.runbook_url ? el("a", {href: alert.runbook_url, class: "runbook"}, "runbook") : null));
}

function drawAlerts(alerts) {
  const firing = ((alerts && alerts.active) || []).filter((a) => a.state === "firing");
  const list = document.getElementById("alerts");
  list.replaceChildren(...(firing.length ? firing.map(alertItem) : [el("li", {class: "empty"}, "None firing.")]));
}

function drawProbes(probes) {
  const rows = Object.entries(probes || {}).map(([name, probe]) => el("tr", {"data-probe": name},
      el("th", {scope: "row"}, name),
      el("td", {"data-outcome": probe.outcome}, probe.outcome + (probe.stuck ? " (stuck)" : "")),
      el("td", {}, probe.last_run ? clock(probe.last_run) : "never"),
      el("td", {}, duration(probe.last_duration_seconds) || "–"),
      el("td", {}, probe.error ? probe.error.reason + ": " + probe.error.message : "")));
  document.querySelector("#probes tbody").replaceChildren(...rows);
}

function setAgentState(state, text) {
  const line = document.getElementById("agent-state");
  line.dataset.state = state;
  document.body.dataset.agent = state;
  line.textContent = text;
}

async function getJson(path) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(path, {cache: "no-store", signal: controller.signal});
    if (!response.ok) throw new Error(path + " answered " + response.status);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

async function refresh() {
  try {
    const [api, status, history] = await Promise.all(
        [getJson("/api/pipelines"), getJson("/status"), getJson("/api/pipelines/history")]);
    drawPipelines(api.pipelines || [], history);
    drawAlerts(status.alerts);
    drawProbes(status.probes);
    document.getElementById("version").textContent = status.version || "–";
    lastAnswer = new Date();
    notAnsweringSince = null;
    setAgentState("live", "Live · updated " + lastAnswer.toLocaleTimeString());
  } catch (problem) {
    // The agent being away is what this state shows; it is not a page error.
    notAnsweringSince = notAnsweringSince || new Date();
    setAgentState("down", "Agent not answering since " + notAnsweringSince.toLocaleTimeString() +
        (lastAnswer ? "; showing its answer of " + lastAnswer.toLocaleTimeString() : ""));
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
