#include "probes/canary/record_framing.h"

#include <optional>

namespace cdcwatch {
namespace {

const char* const kContentIdHeader = "apicurio.value.contentId";
const char* const kGlobalIdHeader = "apicurio.value.globalId";
const char* const kArtifactHeaders[] = {"apicurio.value.groupId", "apicurio.value.artifactId",
                                        "apicurio.value.version"};

uint64_t big_endian(std::string_view bytes) {
  uint64_t id = 0;
  for (char byte : bytes) id = (id << 8) | static_cast<unsigned char>(byte);
  return id;
}

// The last header of that name (Apicurio reads lastHeader), if any.
const std::string* header(const RecordHeaders& headers, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : headers) {
    if (key == name) found = &value;
  }
  return found;
}

RecordFraming unsupported(std::string format, std::string problem) {
  return {RecordFraming::Kind::kUnsupported, 0, {}, std::move(format), std::move(problem)};
}

RecordFraming global_id(std::string_view value, std::string_view where, uint64_t id) {
  return {RecordFraming::Kind::kGlobalId, id, value, "apicurio_global_id",
          "Apicurio framing with a global id (" + std::string(where) + ", id " +
              std::to_string(id) + ")"};
}

RecordFraming from_headers(std::string_view value, const RecordHeaders& headers) {
  if (const std::string* id = header(headers, kContentIdHeader); id && id->size() == 8) {
    return {RecordFraming::Kind::kSchemaId, big_endian(*id), value, "", ""};
  }
  if (const std::string* id = header(headers, kGlobalIdHeader); id && id->size() == 8) {
    return global_id(value, "header apicurio.value.globalId", big_endian(*id));
  }
  for (const char* name : kArtifactHeaders) {
    if (header(headers, name)) {
      return unsupported(
          "apicurio_artifact_headers",
          "Apicurio framing by artifact headers (apicurio.value.groupId, artifactId, "
          "version) without a content id: set the connector's Apicurio converter to "
          "apicurio.registry.use-id=contentId, or to "
          "apicurio.registry.headers.enabled=false (the id in the value)");
    }
  }
  return {};
}

std::optional<int64_t> zigzag_varint(std::string_view bytes, size_t& at) {
  uint64_t raw = 0;
  for (int shift = 0; at < bytes.size() && shift < 64; shift += 7) {
    auto byte = static_cast<unsigned char>(bytes[at++]);
    raw |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
  }
  return std::nullopt;
}

}  // namespace

RecordFraming detect_framing(std::string_view value, const RecordHeaders& headers) {
  if (value.empty()) return {};  // a tombstone, whatever its headers
  if (RecordFraming framed = from_headers(value, headers);
      framed.kind != RecordFraming::Kind::kPlain) {
    return framed;
  }
  if (value.size() < 5 || value[0] != '\0') return {};
  uint64_t id = big_endian(value.substr(1, 4));
  // Confluent's ids and Apicurio's content ids start at 1: four zero bytes are the high half of
  // an 8-byte id.
  if (id == 0 && value.size() >= 9) {
    return global_id(value.substr(9), "8 bytes after magic byte 0", big_endian(value.substr(1, 8)));
  }
  return {RecordFraming::Kind::kSchemaId, id, value.substr(5), "", ""};
}

std::string protobuf_message_indexes(std::string_view datum) {
  size_t at = 0;
  auto count = zigzag_varint(datum, at);
  if (!count || *count < 0 || *count > 16) return "";
  if (*count == 0) return "[0]";
  std::string out = "[";
  for (int64_t i = 0; i < *count; ++i) {
    auto index = zigzag_varint(datum, at);
    if (!index || *index < 0) return "";
    out += (i ? ", " : "") + std::to_string(*index);
  }
  return out + "]";
}

}  // namespace cdcwatch
