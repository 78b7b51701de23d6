// The Kafka messages the group shim (kafka_group_shim.h) reads, rewrites or answers itself, each
// laid out as the protocol guide says (https://kafka.apache.org/protocol#protocol_messages). Pure:
// bytes in, bytes out; a malformed message throws std::runtime_error.
//
// Only non-flexible versions are handled: the ApiVersions answer caps every API whose messages
// the shim parses at its last non-flexible version, so compact strings and tagged fields never
// reach these parsers (ApiVersions itself is the exception, handled in both forms).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cdcwatch::testing::kafka_shim {

namespace api {
inline constexpr int16_t kProduce = 0;
inline constexpr int16_t kMetadata = 3;
inline constexpr int16_t kOffsetCommit = 8;
inline constexpr int16_t kFindCoordinator = 10;
inline constexpr int16_t kJoinGroup = 11;
inline constexpr int16_t kDescribeGroups = 15;
inline constexpr int16_t kListGroups = 16;
inline constexpr int16_t kApiVersions = 18;
}  // namespace api

// A group as the shim answers for it.
struct ShimGroup {
  std::string protocol_type;  // "consumer", "connect", or "" for a group that only committed
  // Its one member's assignment (consumer protocol): topic -> partitions; empty: no member.
  std::map<std::string, std::vector<int32_t>> assignment;
};

// Request header v1, or v2 (its tagged fields) for a flexible ApiVersions request.
struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  size_t body_at = 0;  // where the request body starts (meaningful for the APIs parsed here)
};
RequestHeader parse_request_header(std::string_view request);

// The upstream (mock broker) port -> the shim listener's port in front of it.
using PortMap = std::map<int32_t, int32_t>;

// Each takes and returns a response without its size: correlation id, then the body.
// ApiVersions: ListGroups (v0-2) and DescribeGroups (v0-4) added, parsed APIs capped.
std::string rewrite_api_versions(std::string_view response, int16_t version);
// Metadata v0-8 and FindCoordinator v0-2: broker addresses moved to the shim's listeners.
std::string rewrite_metadata(std::string_view response, int16_t version, const PortMap& ports);
std::string rewrite_find_coordinator(std::string_view response, int16_t version,
                                     const PortMap& ports);

// The group a request names: OffsetCommit v0-7 and JoinGroup v0-5 (with its protocol type).
std::string requested_group(std::string_view request, const RequestHeader& header);
std::string join_protocol_type(std::string_view request, const RequestHeader& header);
// Whether a Produce v0-8 request has acks=0 (no response will come).
bool produce_without_acks(std::string_view request, const RequestHeader& header);

// Whole responses (correlation id and body) to ListGroups v0-2 and DescribeGroups v0-4.
std::string list_groups_response(const RequestHeader& header,
                                 const std::map<std::string, ShimGroup>& groups);
std::string describe_groups_response(std::string_view request, const RequestHeader& header,
                                     const std::map<std::string, ShimGroup>& groups);

}  // namespace cdcwatch::testing::kafka_shim
