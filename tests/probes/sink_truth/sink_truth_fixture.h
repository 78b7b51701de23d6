// What the sink-truth tests share: a local Snowflake SQL API (key-pair JWT verified), librdkafka's
// mock cluster, a readings store for the lag and Connect probes' readings, and a fake clock.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/sink_truth/sink_truth_probe.h"
#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/snowflake_server.h"

namespace cdcwatch {

inline std::string write_private_key(const std::string& pem) {
  static int counter = 0;
  std::string path = ::testing::TempDir() + "/sink_truth_key_" + std::to_string(::getpid()) + "_" +
                     std::to_string(++counter) + ".p8";
  std::ofstream(path) << pem;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

class SinkTruthFixture {
 public:
  static constexpr const char* kSchema = "ANALYTICS.PUBLIC";

  explicit SinkTruthFixture(std::string bootstrap = "")
      : keys_(testing::generate_rsa_key_pair()),
        key_path_(write_private_key(keys_.private_pem)),
        snowflake(keys_.public_pem, "MYORG-MYACCOUNT", "CDCWATCH", "ANALYTICS.PUBLIC.CANARY"),
        bootstrap_(std::move(bootstrap)) {
    snowflake.start();
  }

  std::string bootstrap() const { return bootstrap_.empty() ? kafka.bootstrap() : bootstrap_; }

  KafkaClusterConfig kafka_config(const std::string& group) const {
    KafkaClusterConfig c;
    c.name = "main";
    c.bootstrap_servers = bootstrap();
    c.consumer_groups = {group};
    c.request_timeout = Millis(3000);
    return c;
  }
  SnowflakeConfig snowflake_config(Millis timeout = Millis(5000)) const {
    return SnowflakeConfig{.account = "myorg-myaccount",
                           .user = "cdcwatch",
                           .private_key_file = key_path_,
                           .url = snowflake.url(),
                           .timeout = timeout};
  }
  SinkConfig sink_config(const std::string& connector, Ingestion ingestion = Ingestion::kStreaming,
                         std::optional<std::string> connect = std::nullopt) const {
    SinkConfig c;
    c.name = "orders-snowflake";
    c.connector = connector;
    c.kafka = "main";
    c.warehouse = "snowflake";
    c.ingestion = ingestion;
    c.schema = kSchema;
    c.connect = std::move(connect);
    c.interval = Millis(15000);
    return c;
  }
  SinkTruthProbe probe(const SinkConfig& sink) const {
    return SinkTruthProbe(sink, kafka_config("connect-" + sink.connector), snowflake_config());
  }
  CollectOutcome collect(Probe& probe, std::chrono::seconds budget = std::chrono::seconds(10)) {
    CollectOutcome outcome = probe.collect({clock.now() + budget, clock, store});
    store.publish(probe.name(), outcome.readings);
    return outcome;
  }
  void set_channels(std::vector<testing::SnowflakeServer::Channel> channels) {
    snowflake.on_channels([channels] { return channels; });
  }
  static testing::SnowflakeServer::Channel channel(const std::string& name,
                                                   std::optional<std::string> token) {
    return {name, "ANALYTICS", "PUBLIC", "ORDERS", std::move(token)};
  }
  static Labels partition(const std::string& topic, int p) {
    return {{"sink", "orders-snowflake"}, {"topic", topic}, {"partition", std::to_string(p)}};
  }

 private:
  testing::RsaKeyPair keys_;
  std::string key_path_;

 public:
  testing::SnowflakeServer snowflake;
  testing::KafkaMockCluster kafka;
  FakeClock clock{std::chrono::system_clock::now()};
  ReadingsStore store;

 private:
  std::string bootstrap_;
};

}  // namespace cdcwatch
