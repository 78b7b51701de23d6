#!/usr/bin/env python3
"""Builds the Grafana dashboards in this directory from one description, so that units, the
datasource variable, thresholds (from alerts/rules.yml) and runbook links stay consistent.
Run after changing it: python3 dashboards/build.py; tests/docs checks the committed JSON matches.

Grafana 9 and 10 import these as they are (schemaVersion 37): the Prometheus datasource is a
template variable, never a hard-coded uid.
"""
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RULES = {r["alert"]: r for r in yaml.safe_load((HERE.parent / "alerts" / "rules.yml").read_text())["rules"]}
UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "s": 1, "m": 60, "h": 3600}
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Where the package installs runbooks/: the base `cdcwatch rules export` writes into runbook_url
# when given none (scripts/export-rules), so the dashboards and the exported rules link alike.
RUNBOOK_BASE = "file:///usr/share/cdcwatch/"


def threshold(alert):
    """The rule's threshold as a number (bytes or seconds), for the panel's red line."""
    rule = RULES[alert]
    raw = str(rule.get("above", rule.get("below", rule.get("equals"))))
    for suffix in sorted(UNITS, key=len, reverse=True):
        if raw.endswith(suffix) and raw[: -len(suffix)].replace(".", "").isdigit():
            return float(raw[: -len(suffix)]) * UNITS[suffix]
    return float(raw)


def runbook(alert):
    return "${runbook_base}" + RULES[alert]["runbook"]


class Board:
    def __init__(self, uid, title, description, variables):
        self.uid, self.title, self.description, self.variables = uid, title, description, variables
        self.panels, self.y, self.x, self.row_height = [], 0, 0, 0

    def row(self, title, repeat=None):
        self._newline()
        row = {"type": "row", "title": title, "collapsed": False, "panels": [],
               "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "id": len(self.panels) + 1}
        if repeat:
            row["repeat"] = repeat
        self.panels.append(row)
        self.y += 1

    def panel(self, title, description, targets, unit="short", width=6, height=8, kind="timeseries",
              alert=None, thresholds=None, mappings=None):
        if self.x + width > 24:
            self._newline()
        steps = [{"color": "green", "value": None}]
        if alert:
            steps.append({"color": "red", "value": threshold(alert)})
            description += " Alert: " + alert + " (" + RULES[alert]["severity"] + ")."
        if thresholds:
            steps = thresholds
        panel = {
            "id": len(self.panels) + 1,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DATASOURCE,
            "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                            "overrides": []},
            "options": {},
            "targets": [{"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": chr(65 + i)}
                        for i, (expr, legend) in enumerate(targets)],
        }
        if mappings:
            panel["fieldConfig"]["defaults"]["mappings"] = mappings
        if kind == "timeseries" and alert:
            panel["fieldConfig"]["defaults"]["custom"] = {"thresholdsStyle": {"mode": "line"}}
        if alert:
            panel["links"] = [{"title": "Runbook: " + alert, "url": runbook(alert), "targetBlank": True}]
        self.panels.append(panel)
        self.x += width
        self.row_height = max(self.row_height, height)

    def _newline(self):
        self.y += self.row_height
        self.x, self.row_height = 0, 0

    def json(self):
        templating = [{"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
                       "current": {}, "hide": 0},
                      {"name": "runbook_base", "label": "Runbook base URL", "type": "textbox",
                       "description": "Prefix of the runbook links: the --runbook-base-url given to "
                                      "`cdcwatch rules export`, e.g. where your copy of runbooks/ is browsable.",
                       "query": RUNBOOK_BASE, "hide": 0,
                       "current": {"text": RUNBOOK_BASE, "value": RUNBOOK_BASE}}]
        for name, metric in self.variables:
            templating.append({"name": name, "label": name, "type": "query", "datasource": DATASOURCE,
                               "query": {"query": "label_values(%s, %s)" % (metric, name), "refId": name},
                               "definition": "label_values(%s, %s)" % (metric, name),
                               "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2,
                               "current": {"text": "All", "value": "$__all"}, "hide": 0, "sort": 1})
        return {"uid": self.uid, "title": self.title, "description": self.description,
                "tags": ["cdcwatch", "cdc"], "timezone": "browser", "editable": True, "graphTooltip": 1,
                "schemaVersion": 37, "version": 1, "refresh": "30s",
                "time": {"from": "now-6h", "to": "now"}, "annotations": {"list": []},
                "templating": {"list": templating}, "panels": self.panels, "links": [
                    {"title": "cdcwatch dashboards", "type": "dashboards", "tags": ["cdcwatch"], "asDropdown": True}]}


STATE_MAP = [{"type": "value", "options": {"0": {"text": "no"}, "1": {"text": "yes", "color": "red"}}}]
ALERT_STATE_MAP = [{"type": "value", "options": {"1": {"text": "pending", "color": "orange"},
                                                 "2": {"text": "firing", "color": "red"}}}]
HOP_MAP = [{"type": "value", "options": {"1": {"text": "not ok", "color": "red"}}}]
SRC = 'source=~"$source"'
KAFKA = 'kafka=~"$kafka", group=~"$group"'
CONN = 'connect=~"$connect", connector=~"$connector"'
CAN = 'canary=~"$canary"'


def overview():
    b = Board("cdcwatch-overview", "cdcwatch: pipeline overview",
              "The CDC pipeline left to right as the data flows: source, capture, Kafka, sink, warehouse.",
              [("source", "cdcwatch_pg_up"), ("kafka", "cdcwatch_kafka_up"),
               ("group", "cdcwatch_kafka_consumer_group_status"), ("connect", "cdcwatch_connect_up"),
               ("connector", "cdcwatch_connector_state"), ("canary", "cdcwatch_canary_last_written_seq"),
               ("pipeline", "cdcwatch_pipeline_hop_status")])
    b.row("Pipeline $pipeline", repeat="pipeline")
    b.panel("Hops not ok", "Each hop of the pipeline (source, slot, capture, kafka, sink, warehouse) that is degraded, failing or unknown; /api/pipelines says why.",
            [('cdcwatch_pipeline_hop_status{pipeline=~"$pipeline", status!="ok"} == 1', "{{hop}} {{status}}")],
            kind="stat", width=16, mappings=HOP_MAP)
    b.panel("End-to-end freshness", "Age of the newest canary row in the warehouse for this pipeline.",
            [('cdcwatch_pipeline_freshness_seconds{pipeline=~"$pipeline"}', "{{pipeline}}")], "s", width=8,
            kind="stat", alert="CdcCanaryStaleAtWarehouseCritical")
    b.row("Source database")
    b.panel("Retained WAL by slot", "WAL the source keeps for each logical slot. Growing while a connector is down is how 45 GB piled up in the case study.",
            [("cdcwatch_pg_slot_retained_wal_bytes{%s}" % SRC, "{{source}}/{{slot}}")], "bytes", alert="CdcSlotRetainedWalHigh")
    b.panel("Retained WAL growth", "Bytes per second the retained WAL grows over the growth window; negative while the connector catches up.",
            [("cdcwatch_pg_slot_retained_wal_growth_bytes_per_second{%s}" % SRC, "{{source}}/{{slot}}")], "Bps")
    b.panel("Time to WAL exhaustion", "Time until safe_wal_size or wal_budget runs out at the current growth. Absent while not growing.",
            [("cdcwatch_pg_slot_wal_exhaustion_seconds{%s}" % SRC, "{{source}}/{{slot}}")], "s", kind="stat",
            thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 3600}, {"color": "green", "value": 6 * 3600}])
    b.panel("Slot wal_status", "1 on the slot's current wal_status; unreserved or lost means the slot's WAL is no longer guaranteed.",
            [('cdcwatch_pg_slot_wal_status{%s, status=~"unreserved|lost"} == 1' % SRC, "{{slot}} {{status}}")],
            kind="stat", alert="CdcSlotWalUnreserved", mappings=STATE_MAP)
    b.row("Capture connector (Debezium)")
    b.panel("Connector state", "Connectors not RUNNING (FAILED, PAUSED, MISSING ...).",
            [('cdcwatch_connector_state{%s, state!="RUNNING"} == 1' % CONN, "{{connector}} {{state}}")],
            kind="stat", alert="CdcConnectorFailed", mappings=STATE_MAP)
    b.panel("Seconds since offset progress", "Debezium commits offsets when Connect flushes them (60 s by default): up to a minute is normal.",
            [('cdcwatch_connector_seconds_since_progress{%s, type="source"}' % CONN, "{{connector}}")], "s")
    b.panel("WAL not committed by the connector", "Server WAL position minus the source connector's committed LSN.",
            [("cdcwatch_connector_source_lag_bytes{%s}" % CONN, "{{connector}}")], "bytes")
    b.panel("Stalled connectors", "RUNNING with all tasks RUNNING, input waiting, and no offset progress for stall_after (Challenge 4).",
            [("cdcwatch_connector_stalled{%s} == 1" % CONN, "{{connector}}")], kind="stat", alert="CdcConnectorStalled", mappings=STATE_MAP)
    b.row("Kafka")
    b.panel("Consumer lag (messages)", "Sum over each group's partitions of high watermark minus committed offset.",
            [("cdcwatch_kafka_consumer_group_lag_messages{%s}" % KAFKA, "{{group}}")], "short")
    b.panel("Consumer lag (seconds)", "Age of the oldest unconsumed record on each group's worst partition.",
            [("cdcwatch_kafka_consumer_group_max_lag_seconds{%s}" % KAFKA, "{{group}}")], "s", alert="CdcConsumerLagHigh")
    b.panel("Group status", "Groups not ok: warning (lag grows), stall (offsets frozen with lag), stop, rewind, error.",
            [('cdcwatch_kafka_consumer_group_status{%s, status!="ok"} == 1' % KAFKA, "{{group}} {{status}}")],
            kind="stat", alert="CdcConsumerGroupStalled", mappings=STATE_MAP)
    b.panel("Kafka reachable", "0 when cdcwatch cannot read metadata and offsets from the cluster.",
            [('cdcwatch_kafka_up{kafka=~"$kafka"}', "{{kafka}}")], kind="stat", alert="CdcKafkaDown")
    b.row("Sink connector")
    b.panel("Sink state", "Sink connectors and their tasks not RUNNING.",
            [('cdcwatch_connector_task_state{%s, type="sink", state!="RUNNING"} == 1' % CONN, "{{connector}}/{{task}} {{state}}")],
            kind="stat", alert="CdcConnectorTaskFailed", mappings=STATE_MAP)
    b.panel("Sink seconds since progress", "Seconds since the sink's committed offsets last advanced.",
            [('cdcwatch_connector_seconds_since_progress{%s, type="sink"}' % CONN, "{{connector}}")], "s")
    b.row("Warehouse (canary)")
    b.panel("Canary freshness by stage", "Now minus written_at of the newest canary visible at each stage: the end-to-end paging signal.",
            [("cdcwatch_canary_freshness_seconds{%s}" % CAN, "{{canary}} {{stage}}")], "s", width=8, alert="CdcCanaryStaleAtWarehouseCritical")
    b.panel("Canary latency p95 by stage", "written_at to first seen at the stage (exact at Kafka; the poll interval bounds the warehouse).",
            [("histogram_quantile(0.95, sum by (canary, stage, le) (rate(cdcwatch_canary_latency_seconds_bucket{%s}[$__rate_interval])))" % CAN,
              "{{canary}} {{stage}}")], "s", width=8)
    b.panel("Per-hop latency", "Where the time goes: db_to_capture, capture_to_kafka, kafka_to_warehouse.",
            [("cdcwatch_canary_hop_latency_seconds{%s}" % CAN, "{{canary}} {{hop}}")], "s", width=8)
    b.row("Alerts and the agent itself")
    b.panel("Firing alerts", "cdcwatch's own rule evaluation (cdcwatch_alert_state): 2 while firing, 1 while pending.",
            [("cdcwatch_alert_state == 2", "{{alert}}")], kind="stat", width=8, mappings=ALERT_STATE_MAP)
    b.panel("Probes down", "A failing probe withdraws its readings: its alerts cannot fire.",
            [("cdcwatch_probe_up == 0", "{{probe}}")], kind="stat", width=8, alert="CdcProbeFailing", mappings=STATE_MAP)
    # A probe that never failed has no cdcwatch_probe_errors_total series: `or on(probe)` shows it
    # as 0 with reason "none" (from cdcwatch_probe_up, which every probe has) instead of "No data".
    b.panel("Probe errors", "Errors per probe and reason over the last 5 minutes; 0 (reason none) for a probe without errors.",
            [("sum by (probe, reason) (increase(cdcwatch_probe_errors_total[5m]))"
              ' or on(probe) label_replace(sum by (probe) (cdcwatch_probe_up) * 0, "reason", "none", "", "")',
              "{{probe}} {{reason}}")], width=8)
    return b


def slots():
    b = Board("cdcwatch-slots", "cdcwatch: replication slots", "Every logical slot of every source, in detail.",
              [("source", "cdcwatch_pg_up"), ("slot", "cdcwatch_pg_slot_active")])
    sel = 'source=~"$source", slot=~"$slot"'
    b.row("WAL")
    b.panel("Retained WAL", "Current LSN minus restart_lsn.", [("cdcwatch_pg_slot_retained_wal_bytes{%s}" % sel, "{{source}}/{{slot}}")],
            "bytes", width=12, alert="CdcSlotRetainedWalHigh")
    b.panel("Time to WAL exhaustion", "At the current growth rate.", [("cdcwatch_pg_slot_wal_exhaustion_seconds{%s}" % sel, "{{source}}/{{slot}}")],
            "s", width=12, alert="CdcSlotWalExhaustionSoon")
    b.panel("Confirmed flush lag", "Current LSN minus confirmed_flush_lsn: what the consumer has not confirmed.",
            [("cdcwatch_pg_slot_confirmed_flush_lag_bytes{%s}" % sel, "{{source}}/{{slot}}")], "bytes", width=8)
    b.panel("Confirmed flush lag (seconds)", "How long ago the server was at the slot's confirmed flush position.",
            [("cdcwatch_pg_slot_confirmed_flush_lag_seconds{%s}" % sel, "{{source}}/{{slot}}")], "s", width=8)
    b.panel("safe_wal_size", "PostgreSQL's room before the slot is invalidated (with max_slot_wal_keep_size).",
            [("cdcwatch_pg_slot_safe_wal_size_bytes{%s}" % sel, "{{source}}/{{slot}}")], "bytes", width=8)
    b.row("Consumers")
    b.panel("Slot active", "1 while a replication connection holds the slot.", [("cdcwatch_pg_slot_active{%s}" % sel, "{{source}}/{{slot}}")], width=8)
    b.panel("Inactive for", "Seconds without a consumer.", [("cdcwatch_pg_slot_inactive_seconds{%s}" % sel, "{{source}}/{{slot}}")],
            "s", width=8, alert="CdcSlotInactive")
    b.panel("catalog_xmin age", "Transactions the slot holds back vacuum on the system catalogs.",
            [("cdcwatch_pg_slot_catalog_xmin_age{%s}" % sel, "{{source}}/{{slot}}")], width=8)
    b.panel("Source reachable", "0 when cdcwatch cannot query the source.", [('cdcwatch_pg_up{source=~"$source"}', "{{source}}")],
            kind="stat", width=24, height=4, alert="CdcPostgresDown")
    return b


def kafka_lag():
    b = Board("cdcwatch-kafka-lag", "cdcwatch: Kafka consumer lag", "Per-partition lag for the watched groups (needs partition_metrics: true).",
              [("kafka", "cdcwatch_kafka_up"), ("group", "cdcwatch_kafka_consumer_group_status"),
               ("topic", "cdcwatch_kafka_consumer_topic_lag_messages")])
    sel = 'kafka=~"$kafka", group=~"$group", topic=~"$topic"'
    b.row("Groups")
    b.panel("Lag by topic", "Messages behind, per group and topic.", [("cdcwatch_kafka_consumer_topic_lag_messages{%s}" % sel, "{{group}} {{topic}}")], width=12)
    b.panel("Max lag in seconds", "Oldest unconsumed record per group.", [('cdcwatch_kafka_consumer_group_max_lag_seconds{kafka=~"$kafka", group=~"$group"}', "{{group}}")],
            "s", width=12, alert="CdcConsumerLagHigh")
    b.row("Partitions")
    b.panel("Lag by partition (messages)", "High watermark minus committed offset.", [("cdcwatch_kafka_consumer_lag_messages{%s}" % sel, "{{topic}}/{{partition}}")], width=12)
    b.panel("Lag by partition (seconds)", "Age of the oldest unconsumed record.", [("cdcwatch_kafka_consumer_lag_seconds{%s}" % sel, "{{topic}}/{{partition}}")], "s", width=12)
    b.panel("Committed offset", "The group's committed offsets: flat lines with growing lag are a stall.",
            [("cdcwatch_kafka_committed_offset{%s}" % sel, "{{topic}}/{{partition}}")], width=12)
    b.panel("Partitions not ok", "Partition status other than ok.", [('cdcwatch_kafka_partition_status{%s, status!="ok"} == 1' % sel, "{{topic}}/{{partition}} {{status}}")],
            kind="stat", width=12, alert="CdcConsumerGroupStopped", mappings=STATE_MAP)
    b.panel("Interpolated partitions", "Partitions whose lag in seconds is estimated from the high watermark's history, not read.",
            [('cdcwatch_kafka_consumer_lag_seconds_interpolated{kafka=~"$kafka", group=~"$group"}', "{{group}}")], width=24, height=5)
    return b


def canary():
    b = Board("cdcwatch-canary", "cdcwatch: canaries", "End-to-end freshness and where the time goes, per canary.",
              [("canary", "cdcwatch_canary_last_written_seq")])
    b.row("Freshness")
    b.panel("Freshness at Kafka", "Capture: now minus written_at of the newest canary change event.",
            [('cdcwatch_canary_freshness_seconds{%s, stage="kafka"}' % CAN, "{{canary}}")], "s", width=12, alert="CdcCanaryStaleAtKafka")
    b.panel("Freshness at the warehouse", "End to end: now minus written_at of the newest canary row in the warehouse.",
            [('cdcwatch_canary_freshness_seconds{%s, stage="warehouse"}' % CAN, "{{canary}}")], "s", width=12, alert="CdcCanaryStaleAtWarehouse")
    b.row("Latency")
    b.panel("Latency p50/p95 by stage", "written_at to first seen at the stage.",
            [("histogram_quantile(0.5, sum by (canary, stage, le) (rate(cdcwatch_canary_latency_seconds_bucket{%s}[$__rate_interval])))" % CAN, "p50 {{canary}} {{stage}}"),
             ("histogram_quantile(0.95, sum by (canary, stage, le) (rate(cdcwatch_canary_latency_seconds_bucket{%s}[$__rate_interval])))" % CAN, "p95 {{canary}} {{stage}}")],
            "s", width=12)
    b.panel("Per-hop latency", "db_to_capture (Debezium ts_ms − source.ts_ms), capture_to_kafka, kafka_to_warehouse.",
            [("cdcwatch_canary_hop_latency_seconds{%s}" % CAN, "{{canary}} {{hop}}")], "s", width=12)
    b.row("Writer")
    b.panel("Writes", "Canary upserts per minute by result.", [("sum by (canary, result) (rate(cdcwatch_canary_writes_total{%s}[$__rate_interval])) * 60" % CAN, "{{canary}} {{result}}")], width=8)
    b.panel("Clock skew", "Agent clock minus the database's; latencies are corrected by it.",
            [("cdcwatch_clock_skew_seconds", "{{peer}}")], "s", width=8, alert="CdcClockSkewHigh")
    b.panel("Warehouse poll interval", "The warehouse latency's resolution.", [("cdcwatch_canary_poll_interval_seconds{%s}" % CAN, "{{canary}}")], "s", width=8)
    return b


def sinks():
    b = Board("cdcwatch-sinks", "cdcwatch: Snowflake sinks",
              "How far the warehouse itself is behind Kafka, from the Snowflake connector's positions in Snowflake "
              "(channels' offset tokens, pipes' status): issue #18.",
              [("sink", "cdcwatch_sink_up"), ("topic", "cdcwatch_sink_lag_messages")])
    sink = 'sink=~"$sink"'
    sel = 'sink=~"$sink", topic=~"$topic"'
    b.row("Per sink")
    b.panel("Warehouse lag (seconds)", "Age of the oldest record Snowflake has not made visible, worst partition.",
            [("cdcwatch_sink_lag_seconds_max{%s}" % sink, "{{sink}}")], "s", width=8, alert="CdcSinkWarehouseLagHigh")
    b.panel("No progress for", "How long Snowflake's position has not moved while records wait, worst partition.",
            [("cdcwatch_sink_no_progress_max_seconds{%s}" % sink, "{{sink}}")], "s", width=8,
            alert="CdcSinkWarehouseStalled")
    b.panel("Group ahead of the warehouse", "Records the consumer group committed that Snowflake does not show.",
            [("cdcwatch_sink_group_ahead_messages_total{%s}" % sink, "{{sink}}")], width=8,
            alert="CdcSinkGroupAheadOfWarehouse")
    b.panel("Warehouse lag (messages)", "High watermarks minus Snowflake's committed offsets, summed.",
            [("cdcwatch_sink_lag_messages_total{%s}" % sink, "{{sink}}")], width=12)
    b.panel("Sink readable", "0 when Snowflake or Kafka did not answer; partitions without a position.",
            [("cdcwatch_sink_up{%s}" % sink, "up {{sink}}"), ("cdcwatch_sink_unknown_partitions{%s}" % sink, "unknown {{sink}}")],
            kind="stat", width=12)
    b.row("Partitions")
    b.panel("Warehouse lag by partition (messages)", "0 on an idle, caught-up partition (unlike the group's lag).",
            [("cdcwatch_sink_lag_messages{%s}" % sel, "{{sink}} {{topic}}/{{partition}}")], width=12)
    b.panel("Warehouse lag by partition (seconds)", "Age of the record at Snowflake's committed offset.",
            [("cdcwatch_sink_lag_seconds{%s}" % sel, "{{sink}} {{topic}}/{{partition}}")], "s", width=12)
    b.panel("Committed offset in Snowflake", "Offset token + 1: the next offset the warehouse expects.",
            [("cdcwatch_sink_committed_offset{%s}" % sel, "{{sink}} {{topic}}/{{partition}}")], width=12)
    b.panel("Group ahead by partition", "Consumer group's committed offset minus Snowflake's, when positive.",
            [("cdcwatch_sink_group_ahead_messages{%s}" % sel, "{{sink}} {{topic}}/{{partition}}")], width=12)
    b.row("File-based pipes")
    b.panel("Pending files", "SYSTEM$PIPE_STATUS pendingFileCount.",
            [("cdcwatch_sink_pending_files{%s}" % sink, "{{pipe}}")], width=8)
    b.panel("Waiting without ingest", "While files pend: seconds since the pipe last loaded one.",
            [("cdcwatch_sink_pipe_stuck_seconds{%s}" % sink, "{{pipe}}")], "s", width=8,
            alert="CdcSinkPipePendingFilesGrowing")
    b.panel("Last ingest", "When the pipe last loaded a file.",
            [("time() - cdcwatch_sink_last_ingest_timestamp_seconds{%s}" % sink, "{{pipe}}"),
             ("cdcwatch_sink_pipe_running{%s} == 0" % sink, "not running {{pipe}}")], "s", width=8)
    return b


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for board, name in [(overview(), "cdcwatch-overview.json"), (slots(), "cdcwatch-slots.json"),
                        (kafka_lag(), "cdcwatch-kafka-lag.json"), (canary(), "cdcwatch-canary.json"),
                        (sinks(), "cdcwatch-sinks.json")]:
        (out / name).write_text(json.dumps(board.json(), indent=2) + "\n")


if __name__ == "__main__":
    main()
