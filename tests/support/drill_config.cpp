#include "tests/support/drill_config.h"

namespace cdcwatch::testing {
namespace {

// The `alerts:` section's head: the grouping, when one is asked for.
std::string alerts_section(const DrillSettings& s) {
  if (s.grouping.empty()) return s.shipped_defaults ? "" : "alerts:\n";
  return "alerts:\n  grouping: " + s.grouping + "\n";
}

// Demo thresholds: the shipped rules of the same names with short thresholds and no `for`.
std::string drill_rules(const DrillSettings& s) {
  return "  min_time_before_resolve: 2s\n  rules:\n"
         "    - {alert: CdcCanaryStaleAtWarehouse, metric: cdcwatch_canary_freshness_seconds, "
         "match: {stage: warehouse},"
         " above: " +
         s.stale_after +
         ", for: 0s, severity: warning, stage: warehouse, runbook: "
         "runbooks/canary-stale-warehouse.md,"
         " summary: \"The newest canary row in the warehouse for {{canary}} is {{value}} old\"}\n"
         "    - {alert: CdcCanaryStaleAtKafka, metric: cdcwatch_canary_freshness_seconds, match: "
         "{stage: kafka},"
         " above: " +
         s.stale_after +
         ", for: 0s, severity: warning, stage: capture, runbook: runbooks/canary-stale-kafka.md,"
         " summary: \"The newest canary change event in Kafka for {{canary}} is {{value}} old: "
         "capture is behind\"}\n"
         "    - {alert: CdcConnectorTaskFailed, metric: cdcwatch_connector_task_state, match: "
         "{state: FAILED},"
         " equals: 1, for: 0s, severity: critical, stage: capture, runbook: "
         "runbooks/connector-task-failed.md,"
         " summary: \"Task {{task}} of connector {{connector}} on {{connect}} is FAILED\"}\n"
         "    - {alert: CdcKafkaDown, metric: cdcwatch_kafka_up, equals: 0, for: 2s, severity: "
         "critical, stage: kafka,"
         " runbook: runbooks/kafka-down.md, summary: \"cdcwatch cannot reach Kafka cluster "
         "{{kafka}}\"}\n";
}

}  // namespace

std::string drill_config(PipelineSimulator& sim, const DrillSettings& s) {
  const bool drill = !s.shipped_defaults;
  return "agent:\n  state_dir: " + s.state_dir + "\n  listen: " + s.listen + "\n" +
         (drill ? "  interval: " + s.interval + "\n" : "") +
         "  runbook_base_url: " + s.runbook_base_url +
         "\n"
         "postgres:\n  - name: shop\n    dsn: \"" +
         sim.source_dsn() +
         "\"\n"
         "kafka:\n  - name: msk\n    bootstrap_servers: \"" +
         sim.bootstrap() + "\"\n" +
         // Five observations: the simulated sink commits once per batch, and a batch of 500
         // upserts can take over 2 s on a busy 2-core machine; with three, a healthy pipeline
         // under load paged CdcConsumerGroupStalled.
         (drill ? "    window: 5\n    request_timeout: 1s\n" : "") +
         (s.schema_registry_url.empty()
              ? ""
              : "    schema_registry:\n      url: " + s.schema_registry_url + "\n") +
         "connect:\n  - name: connect\n    url: " + sim.connect_url() +
         "\n    kafka: msk\n"
         "canaries:\n  - name: shop\n    postgres: shop\n    table: public.cdcwatch_canary\n" +
         (drill ? "    interval: " + s.interval + "\n" : "") +
         "    agent_id: drill\n    kafka: msk\n    topic: shop.public.cdcwatch_canary\n"
         "    warehouse:\n      postgres:\n        dsn: \"" +
         sim.warehouse_dsn() +
         "\"\n"
         "        table: public.cdcwatch_canary\n" +
         (drill ? "      poll_interval: " + s.interval + "\n" : "") + alerts_section(s) +
         (drill ? drill_rules(s) : "") +
         "notifiers:\n  pagerduty:\n    routing_key: dri11routing0key0000000000000000\n    url: " +
         s.pagerduty_url + "\n";
}

std::optional<double> series_value(const std::string& metrics_text, const std::string& series) {
  auto at = metrics_text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(metrics_text.substr(at + series.size() + 2));
}

}  // namespace cdcwatch::testing
