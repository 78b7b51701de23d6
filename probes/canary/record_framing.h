// Which writer schema a record on the canary topic names, and how: the framings a Schema Registry
// serializer writes, told apart before anything is decoded.
//   Confluent (and Apicurio's Default4ByteIdHandler, its 3.x default, or `as-confluent` in 2.x):
//     magic byte 0, a 4-byte big-endian schema id, the datum
//     (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
//   Apicurio with `apicurio.registry.headers.enabled=true`: the value is the datum alone; the id
//     is an 8-byte big-endian header, `apicurio.value.contentId` (the default `use-id=contentId`)
//     or `apicurio.value.globalId` (`use-id=globalId`), or, with neither, the artifact's
//     `apicurio.value.groupId`/`artifactId`/`version` (Apicurio's DefaultHeadersHandler).
//   Apicurio's Legacy8ByteIdHandler (2.x's default): magic byte 0, an 8-byte big-endian global id.
// The Confluent-compatible API (`GET /schemas/ids/{id}`, Apicurio's /apis/ccompat/v7) answers
// content ids (Apicurio's CCompatConfig: `apicurio.ccompat.legacy-id-mode.enabled` defaults to
// false), so a 4-byte id or a contentId header is resolved through it; a global id is not, as
// Apicurio's ids are content ids there, and is named with the fix. References:
// Apicurio/apicurio-registry, serdes/generic/serde-common (Default4ByteIdHandler,
// Legacy8ByteIdHandler, config/SerdeConfig, headers/DefaultHeadersHandler, SerdeHeaders), its
// KafkaSerdeConfig (ENABLE_HEADERS) and CCompatConfig (legacy-id-mode).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdcwatch {

// A record's headers (name, value), as Kafka carries them.
using RecordHeaders = std::vector<std::pair<std::string, std::string>>;

struct RecordFraming {
  enum class Kind {
    kPlain,        // no registry framing: a JSON change event or a tombstone
    kSchemaId,     // `schema_id` resolves through GET /schemas/ids/{id}; `datum` follows it
    kGlobalId,     // `schema_id` is an Apicurio global id; `problem` describes the framing
    kUnsupported,  // a framing cdcwatch cannot resolve: `format` and `problem` say which
  } kind = Kind::kPlain;
  uint64_t schema_id = 0;
  std::string_view datum;
  std::string format;   // metric label: apicurio_global_id, apicurio_artifact_headers
  std::string problem;  // what the framing is (and for kUnsupported, how to fix it)
};

RecordFraming detect_framing(std::string_view value, const RecordHeaders& headers);

// Confluent's Protobuf framing puts message indexes after the schema id: a zigzag varint count,
// then that many zigzag varints; a single 0 byte means [0], the first message
// (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
// Rendered as "[0]" or "[1, 0]"; "" when the bytes are not such a list.
std::string protobuf_message_indexes(std::string_view datum);

}  // namespace cdcwatch
