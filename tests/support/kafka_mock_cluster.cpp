#include "tests/support/kafka_mock_cluster.h"

#include <stdexcept>

namespace cdcwatch::testing {
namespace {

rd_kafka_conf_t* make_conf(const std::string& bootstrap) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  auto set = [&](const char* key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error(std::string("kafka test config ") + key + ": " + error);
    }
  };
  if (!bootstrap.empty()) set("bootstrap.servers", bootstrap);
  set("log_level", "3");
  return conf;
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* result = static_cast<std::atomic<int64_t>*>(message->_private);
  if (result == nullptr) return;  // bulk produce: rd_kafka_flush reports failure
  result->store(message->err ? -1 - static_cast<int64_t>(-message->err) : message->offset);
}

}  // namespace

KafkaMockCluster::KafkaMockCluster(int brokers) {
  char error[512];
  rd_kafka_conf_t* conf = make_conf("");
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (handle_ == nullptr) throw std::runtime_error(std::string("kafka mock: ") + error);
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (cluster_ == nullptr) throw std::runtime_error("kafka mock: cannot create cluster");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);

  rd_kafka_conf_t* producer_conf = make_conf(bootstrap_);
  rd_kafka_conf_set_dr_msg_cb(producer_conf, on_delivery);
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, producer_conf, error, sizeof error);
  if (producer_ == nullptr) throw std::runtime_error(std::string("kafka mock producer: ") + error);
}

KafkaMockCluster::~KafkaMockCluster() {
  if (producer_ != nullptr) {
    rd_kafka_flush(producer_, 2000);
    rd_kafka_destroy(producer_);
  }
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

void KafkaMockCluster::create_topic(const std::string& topic, int partitions,
                                    int replication_factor) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err)
    throw std::runtime_error("kafka mock create_topic: " + std::string(rd_kafka_err2str(err)));
}

int64_t KafkaMockCluster::produce(const std::string& topic, int partition, const std::string& key,
                                  const std::string& value, int64_t timestamp_ms,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  std::atomic<int64_t>* result;
  {
    std::lock_guard lock(delivery_slots_mutex_);
    result = &delivery_slots_.emplace_back(INT64_MIN);
  }
  rd_kafka_headers_t* record_headers = rd_kafka_headers_new(headers.size());
  for (const auto& [name, header] : headers) {
    rd_kafka_header_add(record_headers, name.data(), static_cast<ssize_t>(name.size()),
                        header.data(), static_cast<ssize_t>(header.size()));
  }
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
      RD_KAFKA_V_HEADERS(record_headers), RD_KAFKA_V_OPAQUE(result), RD_KAFKA_V_END);
  if (err) {
    rd_kafka_headers_destroy(record_headers);  // owned by the record only once produced
    throw std::runtime_error("kafka mock produce: " + std::string(rd_kafka_err2str(err)));
  }
  for (int i = 0; i < 200 && result->load() == INT64_MIN; ++i) rd_kafka_poll(producer_, 50);
  int64_t offset = result->load();
  if (offset < 0) throw std::runtime_error("kafka mock produce to " + topic + " was not delivered");
  return offset;
}

namespace {

void commit_offsets(const std::string& bootstrap, const std::string& group,
                    rd_kafka_topic_partition_list_t* offsets) {
  char error[512];
  rd_kafka_conf_t* conf = make_conf(bootstrap);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", error, sizeof error);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (consumer == nullptr) throw std::runtime_error(std::string("kafka mock consumer: ") + error);
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets, 0);
  rd_kafka_topic_partition_list_destroy(offsets);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (err) throw std::runtime_error("kafka mock commit: " + std::string(rd_kafka_err2str(err)));
}

}  // namespace

void KafkaMockCluster::commit(const std::string& group, const std::string& topic, int partition,
                              int64_t next_offset) {
  commit_through(bootstrap_, group, topic, partition, next_offset);
}

void KafkaMockCluster::commit_through(const std::string& bootstrap, const std::string& group,
                                      const std::string& topic, int partition,
                                      int64_t next_offset) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = next_offset;
  commit_offsets(bootstrap, group, offsets);
}

void KafkaMockCluster::commit_every_partition(const std::string& group, const std::string& topic,
                                              int partitions, int64_t next_offset) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(offsets, topic.c_str(), p)->offset = next_offset;
  }
  commit_offsets(bootstrap_, group, offsets);
}

void KafkaMockCluster::produce_to_every_partition(const std::string& topic, int partitions,
                                                  int records, int64_t timestamp_ms) {
  for (int p = 0; p < partitions; ++p) {
    for (int r = 0; r < records; ++r) {
      rd_kafka_resp_err_t err;
      while ((err = rd_kafka_producev(
                  producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
                  RD_KAFKA_V_VALUE(const_cast<char*>("v"), 1),
                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                  RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer_, 10);
      }
      if (err)
        throw std::runtime_error("kafka mock produce: " + std::string(rd_kafka_err2str(err)));
    }
  }
  if (rd_kafka_flush(producer_, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("kafka mock produce to " + topic + " was not delivered in 60 s");
  }
}

void KafkaMockCluster::set_broker_down(int broker_id, bool down) {
  rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(cluster_, broker_id)
                                 : rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (err)
    throw std::runtime_error("kafka mock broker state: " + std::string(rd_kafka_err2str(err)));
}

}  // namespace cdcwatch::testing
