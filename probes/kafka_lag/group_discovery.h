// Consumer groups listed from the brokers (`discover_groups` globs), every `discovery_interval`,
// with librdkafka's rd_kafka_list_groups: ListGroups to every broker, then DescribeGroups for the
// groups each one coordinates (https://kafka.apache.org/protocol#The_Messages_ListGroups,
// #The_Messages_DescribeGroups). Not the admin ListConsumerGroups/DescribeConsumerGroups: in the
// Debian librdkafka 2.0.2 the admin request path aborts the process when brokers drop mid-request
// (confluentinc/librdkafka#4605, see README.md), and the legacy call answers both questions in one
// bounded, synchronous call.
//
// A discovered group is watched on the topics its members are assigned (DescribeGroups' member
// assignments, consumer protocol) and, like every group, those it committed on. Only consumer
// groups count: protocol type "consumer", or "" for a group that only commits offsets (a Connect
// worker group, type "connect", matches connect-* but consumes nothing).
//
// A group missing from the listings (a failed listing, a broker that did not answer, a deleted
// group) stays watched for kGraceListings discovery intervals, then goes. A failed listing is
// reported by listing_up() (the probe's discovery gauge), not by failing the probe's cycle: the
// lag of the groups already known keeps flowing while the brokers do not list.
// Not thread-safe: used from the probe's worker thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/units.h"

namespace cdcwatch {

class GroupDiscovery {
 public:
  static constexpr int kGraceListings = 5;

  GroupDiscovery(std::vector<std::string> patterns, Millis interval)
      : patterns_(std::move(patterns)), interval_(interval) {}

  bool enabled() const { return !patterns_.empty(); }
  bool due(TimePoint now) const {
    return enabled() && (!listed_at_ || now - *listed_at_ >= interval_);
  }
  // Lists the groups (when due) and forgets those missing for longer than the grace; returns what
  // went wrong, "" when the listing worked or was not due.
  std::string refresh(rd_kafka_t* client, TimePoint now, int timeout_ms);

  // Whether the last listing worked; nothing before the first listing.
  std::optional<bool> listing_up() const;
  std::optional<TimePoint> last_success() const { return listed_ok_at_; }
  // The last listing that worked before a restart (the probe's saved state keeps it), so the
  // time a listing last worked stays known, and its age keeps growing, across the restart.
  void restore_last_success(TimePoint at) {
    if (!listed_ok_at_ || at > *listed_ok_at_) listed_ok_at_ = at;
  }

  std::vector<std::string> groups() const;
  // The topics the group's members are assigned; empty when none is known.
  const std::set<std::string>& assigned_topics(const std::string& group) const;
  bool matches(const std::string& group) const;
  nlohmann::json describe() const;  // for /status

  // The discovered set, so that a restart keeps watching it while the brokers are not listing.
  nlohmann::json save() const;
  // False when `saved` is malformed (then nothing is taken).
  bool restore(const nlohmann::json& saved);

 private:
  struct Discovered {
    std::set<std::string> assigned_topics;
    TimePoint last_listed;
  };
  void take(const rd_kafka_group_info& info, TimePoint now);

  std::vector<std::string> patterns_;
  Millis interval_;
  std::map<std::string, Discovered> groups_;
  std::optional<TimePoint> listed_at_;     // when the last listing was attempted
  std::optional<TimePoint> listed_ok_at_;  // when a listing last worked
  std::string error_;                      // of the last listing
};

// The topics of a ConsumerProtocolAssignment (version, [topic, [partition]], user_data); nothing
// when the bytes do not hold one.
std::optional<std::set<std::string>> parse_consumer_assignment(const void* data, int size);

}  // namespace cdcwatch
