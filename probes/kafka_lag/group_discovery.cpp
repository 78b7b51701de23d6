#include "probes/kafka_lag/group_discovery.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace cdcwatch {
namespace {

int64_t to_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Big-endian fields of the consumer protocol, bounds-checked: a broker's bytes are input.
class Bytes {
 public:
  Bytes(const void* data, int size)
      : data_(static_cast<const uint8_t*>(data)), size_(size > 0 && data ? size : 0) {}
  std::optional<int32_t> integer(int width) {
    if (size_ - at_ < width) return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < width; ++i) value = (value << 8) | data_[at_++];
    return width == 2 ? static_cast<int16_t>(value) : static_cast<int32_t>(value);
  }
  std::optional<std::string> string() {
    auto length = integer(2);
    if (!length || *length < 0 || size_ - at_ < *length) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(data_ + at_), static_cast<size_t>(*length));
    at_ += *length;
    return out;
  }

 private:
  const uint8_t* data_;
  int size_;
  int at_ = 0;
};

// ListGroups' protocol type: "consumer", or "" for a group that only commits (a Connect sink's
// group between rebalances, a tool that commits offsets). Anything else ("connect") is no
// consumer group.
bool consumer_group(const char* protocol_type) {
  std::string_view type = protocol_type ? protocol_type : "";
  return type.empty() || type == "consumer";
}

}  // namespace

// https://kafka.apache.org/protocol#The_Messages_SyncGroup: an assignment is opaque to Kafka; the
// consumer protocol's layout is ConsumerProtocolAssignment.json in the Kafka sources.
std::optional<std::set<std::string>> parse_consumer_assignment(const void* data, int size) {
  Bytes in(data, size);
  std::set<std::string> topics;
  auto topic_count = in.integer(2) ? in.integer(4) : std::nullopt;
  if (!topic_count || *topic_count < 0) return std::nullopt;
  for (int32_t t = 0; t < *topic_count; ++t) {
    auto topic = in.string();
    auto partitions = in.integer(4);
    if (!topic || !partitions || *partitions < 0) return std::nullopt;
    for (int32_t p = 0; p < *partitions; ++p) {
      if (!in.integer(4)) return std::nullopt;
    }
    topics.insert(*topic);
  }
  return topics;
}

bool GroupDiscovery::matches(const std::string& group) const {
  return std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), group.c_str(), 0) == 0;
  });
}

std::string GroupDiscovery::refresh(rd_kafka_t* client, TimePoint now, int timeout_ms) {
  if (!due(now)) return "";
  listed_at_ = now;
  // rd_kafka_list_groups asks the brokers the handle knows, and a new handle knows none yet: a
  // brokers-only Metadata request (no topics) first.
  const rd_kafka_metadata_t* brokers = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, nullptr, &brokers, timeout_ms);
  if (brokers) rd_kafka_metadata_destroy(brokers);
  const rd_kafka_group_list* list = nullptr;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
    err = rd_kafka_list_groups(client, nullptr, &list, timeout_ms);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__PARTIAL) {
    for (int i = 0; i < list->group_cnt; ++i) take(list->groups[i], now);
    rd_kafka_group_list_destroy(list);
  }
  error_.clear();
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) listed_ok_at_ = now;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error_ = std::string("listing consumer groups (ListGroups/DescribeGroups) failed: ") +
             rd_kafka_err2str(err) + "; the groups found before stay watched for " +
             std::to_string(kGraceListings) +
             " discovery intervals. Check that the brokers answer and that cdcwatch may "
             "Describe the cluster and the groups";
  }
  std::erase_if(groups_, [&](const auto& group) {
    return now - group.second.last_listed > interval_ * kGraceListings;
  });
  return error_;
}

void GroupDiscovery::take(const rd_kafka_group_info& info, TimePoint now) {
  if (!info.group || info.err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      !consumer_group(info.protocol_type) || !matches(info.group)) {
    return;
  }
  Discovered& group = groups_[info.group];
  group.last_listed = now;
  group.assigned_topics.clear();
  for (int m = 0; m < info.member_cnt; ++m) {
    const auto& member = info.members[m];
    if (auto topics =
            parse_consumer_assignment(member.member_assignment, member.member_assignment_size)) {
      group.assigned_topics.insert(topics->begin(), topics->end());
    }
  }
}

std::optional<bool> GroupDiscovery::listing_up() const {
  if (!listed_at_) return std::nullopt;
  return error_.empty();
}

std::vector<std::string> GroupDiscovery::groups() const {
  std::vector<std::string> out;
  for (const auto& [name, group] : groups_) out.push_back(name);
  return out;
}

const std::set<std::string>& GroupDiscovery::assigned_topics(const std::string& group) const {
  static const std::set<std::string> kNone;
  auto found = groups_.find(group);
  return found == groups_.end() ? kNone : found->second.assigned_topics;
}

nlohmann::json GroupDiscovery::describe() const {
  nlohmann::json out = {
      {"patterns", patterns_}, {"groups", groups()}, {"interval", format_duration(interval_)}};
  if (listed_at_) out["listed_at_ms"] = to_millis(*listed_at_);
  if (listed_ok_at_) out["last_success_ms"] = to_millis(*listed_ok_at_);
  if (!error_.empty()) out["error"] = error_;
  return out;
}

nlohmann::json GroupDiscovery::save() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [name, group] : groups_) {
    groups.push_back({{"group", name},
                      {"assigned_topics", group.assigned_topics},
                      {"last_listed_ms", to_millis(group.last_listed)}});
  }
  return groups;
}

bool GroupDiscovery::restore(const nlohmann::json& saved) {
  if (!saved.is_array()) return false;
  std::map<std::string, Discovered> restored;
  for (const auto& entry : saved) {
    if (!entry.is_object() || !entry.contains("group") || !entry["group"].is_string() ||
        !entry.contains("last_listed_ms") || !entry["last_listed_ms"].is_number_integer() ||
        !entry.contains("assigned_topics") || !entry["assigned_topics"].is_array()) {
      return false;
    }
    Discovered& group = restored[entry["group"].get<std::string>()];
    group.last_listed =
        TimePoint(std::chrono::milliseconds(entry["last_listed_ms"].get<int64_t>()));
    for (const auto& topic : entry["assigned_topics"]) {
      if (!topic.is_string()) return false;
      group.assigned_topics.insert(topic.get<std::string>());
    }
  }
  // A group no longer matching the (changed) patterns is not kept.
  std::erase_if(restored, [&](const auto& group) { return !matches(group.first); });
  groups_ = std::move(restored);
  return true;
}

}  // namespace cdcwatch
