#include "tests/support/kafka_shim_messages.h"

#include <algorithm>
#include <climits>

#include "tests/support/kafka_wire.h"

namespace cdcwatch::testing::kafka_shim {
namespace {

using kafka_wire::Reader;
using kafka_wire::Writer;

struct VersionRange {
  int16_t min;
  int16_t max;
};

// The last non-flexible version of every API whose messages the shim parses (each message's
// "flexibleVersions" in the protocol guide): capping them here keeps compact strings and tagged
// fields out of the parsers below.
const std::map<int16_t, int16_t> kLastNonFlexible = {{api::kProduce, 8},
                                                     {api::kMetadata, 8},
                                                     {api::kOffsetCommit, 7},
                                                     {api::kFindCoordinator, 2},
                                                     {api::kJoinGroup, 5}};
// What the shim answers itself: ListGroups is flexible from v3, DescribeGroups from v5.
const std::map<int16_t, VersionRange> kAnswered = {{api::kListGroups, {0, 2}},
                                                   {api::kDescribeGroups, {0, 4}}};

void copy_nullable_string(Reader& in, Writer& out) {
  int16_t length = in.int16();
  out.int16(length);
  if (length > 0) out.append(in.take(static_cast<size_t>(length)));
}

void skip_nullable_string(Reader& in) {
  int16_t length = in.int16();
  if (length > 0) in.take(static_cast<size_t>(length));
}

// host STRING, port INT32 of a broker: moved to the shim listener in front of it.
void rewrite_address(Reader& in, Writer& out, const PortMap& ports) {
  std::string host = in.string();
  int32_t port = in.int32();
  auto shim = ports.find(port);
  if (shim == ports.end()) {
    out.string(host).int32(port);
  } else {
    out.string("127.0.0.1").int32(shim->second);
  }
}

// ConsumerProtocolSubscription v0: version, topics [STRING], user_data BYTES (null).
std::string consumer_subscription(const ShimGroup& group) {
  Writer out;
  out.int16(0).int32(static_cast<int32_t>(group.assignment.size()));
  for (const auto& [topic, partitions] : group.assignment) out.string(topic);
  return out.int32(-1).data();
}

// ConsumerProtocolAssignment v0: version, [topic STRING, partitions [INT32]], user_data BYTES.
std::string consumer_assignment(const ShimGroup& group) {
  Writer out;
  out.int16(0).int32(static_cast<int32_t>(group.assignment.size()));
  for (const auto& [topic, partitions] : group.assignment) {
    out.string(topic).int32(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) out.int32(p);
  }
  return out.int32(-1).data();
}

// One DescribedGroup: a group the shim does not know is "Dead", as Kafka answers before v6.
void describe_group(const std::string& name, const ShimGroup* group, int16_t version, Writer& out) {
  bool has_member = group && !group->assignment.empty();
  const char* state = has_member ? "Stable" : group ? "Empty" : "Dead";
  out.int16(0).string(name).string(state).string(group ? group->protocol_type : "");
  out.string(has_member ? "range" : "").int32(has_member ? 1 : 0);
  if (has_member) {
    out.string("shim-member-" + name);
    if (version >= 4) out.null_string();  // group_instance_id
    out.string("shim").string("/127.0.0.1");
    out.bytes(consumer_subscription(*group)).bytes(consumer_assignment(*group));
  }
  if (version >= 3) out.int32(INT32_MIN);  // authorized_operations: not requested
}

}  // namespace

// https://kafka.apache.org/protocol#protocol_messages: request header v1 (api_key, api_version,
// correlation_id, client_id), v2 adding tagged fields.
RequestHeader parse_request_header(std::string_view request) {
  Reader in(request);
  RequestHeader header;
  header.api_key = in.int16();
  header.api_version = in.int16();
  header.correlation_id = in.int32();
  skip_nullable_string(in);  // client_id
  if (header.api_key == api::kApiVersions && header.api_version >= 3) in.skip_tagged_fields();
  header.body_at = in.at();
  return header;
}

// https://kafka.apache.org/protocol#The_Messages_ApiVersions
// ApiVersions response: error_code, api_keys [api_key, min_version, max_version], then
// throttle_time_ms (v1+); from v3 a compact array with tagged fields (response header v0 always).
std::string rewrite_api_versions(std::string_view response, int16_t version) {
  Reader in(response);
  Writer out;
  out.int32(in.int32());
  if (in.int16() != 0) return std::string(response);  // an error is answered in v0's layout
  bool flexible = version >= 3;
  std::map<int16_t, VersionRange> apis;
  uint32_t count = flexible ? in.unsigned_varint() - 1 : static_cast<uint32_t>(in.int32());
  for (uint32_t i = 0; i < count; ++i) {
    int16_t key = in.int16();
    VersionRange range{in.int16(), in.int16()};
    if (flexible) in.skip_tagged_fields();
    apis[key] = range;
  }
  for (const auto& [key, last] : kLastNonFlexible) {
    if (auto api = apis.find(key); api != apis.end())
      api->second.max = std::min(api->second.max, last);
  }
  for (const auto& [key, range] : kAnswered) apis[key] = range;
  out.int16(0);
  if (flexible) {
    out.unsigned_varint(static_cast<uint32_t>(apis.size() + 1));
  } else {
    out.int32(static_cast<int32_t>(apis.size()));
  }
  for (const auto& [key, range] : apis) {
    out.int16(key).int16(range.min).int16(range.max);
    if (flexible) out.unsigned_varint(0);
  }
  return out.append(in.rest()).data();  // throttle_time_ms and the tagged fields
}

// https://kafka.apache.org/protocol#The_Messages_Metadata
// Metadata response v0-8: throttle_time_ms (v3+), brokers [node_id, host, port, rack (v1+)], then
// cluster_id, controller_id and the topics, copied as they are.
std::string rewrite_metadata(std::string_view response, int16_t version, const PortMap& ports) {
  Reader in(response);
  Writer out;
  out.int32(in.int32());
  if (version >= 3) out.int32(in.int32());
  int32_t brokers = in.int32();
  out.int32(brokers);
  for (int32_t i = 0; i < brokers; ++i) {
    out.int32(in.int32());
    rewrite_address(in, out, ports);
    if (version >= 1) copy_nullable_string(in, out);
  }
  return out.append(in.rest()).data();
}

// https://kafka.apache.org/protocol#The_Messages_FindCoordinator
// FindCoordinator response v0: error_code, node_id, host, port; v1-2: throttle_time_ms,
// error_code, error_message, node_id, host, port.
std::string rewrite_find_coordinator(std::string_view response, int16_t version,
                                     const PortMap& ports) {
  Reader in(response);
  Writer out;
  out.int32(in.int32());
  if (version >= 1) out.int32(in.int32());
  out.int16(in.int16());
  if (version >= 1) copy_nullable_string(in, out);
  out.int32(in.int32());
  rewrite_address(in, out, ports);
  return out.append(in.rest()).data();
}

// https://kafka.apache.org/protocol#The_Messages_OffsetCommit and #The_Messages_JoinGroup:
// OffsetCommit v0-7 and JoinGroup v0-5 both start with group_id.
std::string requested_group(std::string_view request, const RequestHeader& header) {
  Reader in(request, header.body_at);
  return in.string();
}

// JoinGroup v0-5: group_id, session_timeout_ms, rebalance_timeout_ms (v1+), member_id,
// group_instance_id (v5+), protocol_type.
std::string join_protocol_type(std::string_view request, const RequestHeader& header) {
  Reader in(request, header.body_at);
  in.string();
  in.int32();
  if (header.api_version >= 1) in.int32();
  in.string();
  if (header.api_version >= 5) skip_nullable_string(in);
  return in.string();
}

// https://kafka.apache.org/protocol#The_Messages_Produce
// Produce v0-8: transactional_id (v3+), acks.
bool produce_without_acks(std::string_view request, const RequestHeader& header) {
  Reader in(request, header.body_at);
  if (header.api_version >= 3) skip_nullable_string(in);
  return in.int16() == 0;
}

// https://kafka.apache.org/protocol#The_Messages_ListGroups
// ListGroups response v0: error_code, groups [group_id, protocol_type]; v1-2 start with
// throttle_time_ms.
std::string list_groups_response(const RequestHeader& header,
                                 const std::map<std::string, ShimGroup>& groups) {
  Writer out;
  out.int32(header.correlation_id);
  if (header.api_version >= 1) out.int32(0);
  out.int16(0).int32(static_cast<int32_t>(groups.size()));
  for (const auto& [name, group] : groups) out.string(name).string(group.protocol_type);
  return out.data();
}

// https://kafka.apache.org/protocol#The_Messages_DescribeGroups
// DescribeGroups request v0-4: groups [STRING], include_authorized_operations (v3+). Response:
// throttle_time_ms (v1+), groups [error_code, group_id, group_state, protocol_type,
// protocol_data, members [member_id, group_instance_id (v4+), client_id, client_host,
// member_metadata, member_assignment], authorized_operations (v3+)].
std::string describe_groups_response(std::string_view request, const RequestHeader& header,
                                     const std::map<std::string, ShimGroup>& groups) {
  Reader in(request, header.body_at);
  int32_t count = in.int32();
  Writer out;
  out.int32(header.correlation_id);
  if (header.api_version >= 1) out.int32(0);
  out.int32(std::max(count, 0));
  for (int32_t i = 0; i < count; ++i) {
    std::string name = in.string();
    auto group = groups.find(name);
    describe_group(name, group == groups.end() ? nullptr : &group->second, header.api_version, out);
  }
  return out.data();
}

}  // namespace cdcwatch::testing::kafka_shim
