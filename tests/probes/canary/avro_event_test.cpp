// Debezium change events in Confluent's Avro wire format, encoded here with avro-c from the
// canary table's Debezium envelope schema as Confluent's AvroConverter registers it (Connect
// schema names kept as `connect.name`), in each temporal encoding of written_at; their writer
// schemas fetched from a local Schema Registry.
#include "probes/canary/avro_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "probes/canary/canary_event_decoder.h"
#include "probes/canary/schema_registry_client.h"
#include "tests/probes/canary/avro_fixtures.h"
#include "tests/support/schema_registry_server.h"

namespace cdcwatch {
namespace {

using Json = nlohmann::json;
using Kind = ParsedCanaryEvent::Kind;
using testing::encode;
using testing::envelope_schema;
using testing::kSchemaId;

// time.precision.mode=structured as Confluent's AvroConverter registers the struct: optional
// fields as ["null", T], Connect's int8 as int with connect.type.
Json structured_timestamp(const std::string& name) {
  auto optional = [](const char* field, Json type) {
    return Json{{"name", field}, {"type", {"null", type}}, {"default", nullptr}};
  };
  Json int8 = {{"type", "int"}, {"connect.type", "int8"}};
  Json fields = {optional("year", "int"), optional("month", int8),  optional("day", int8),
                 optional("hour", int8),  optional("minute", int8), optional("second", int8),
                 optional("nanos", "int")};
  if (name == "StructuredZonedTimestamp") {
    for (Json field : {optional("offsetSeconds", "int"), optional("zoneId", "string"),
                       optional("specialValue", "string"), optional("precision", "int")}) {
      fields.push_back(field);
    }
  }
  return {{"type", "record"}, {"name", name},         {"namespace", "io.debezium.time"},
          {"fields", fields}, {"connect.version", 1}, {"connect.name", "io.debezium.time." + name}};
}

// Every time.precision.mode of the PostgreSQL connector (debezium_temporal.h), as Avro.
TEST(AvroEvent, EveryTemporalEncodingOfWrittenAtDecodesToTheRightInstant) {
  const Json wall_clock = {{"year", 2016}, {"month", 11},  {"day", 4},          {"hour", 13},
                           {"minute", 51}, {"second", 30}, {"nanos", 123456000}};
  Json zoned = wall_clock;
  zoned["offsetSeconds"] = 7200;
  zoned["precision"] = 6;
  struct Case {
    Json avro_type;
    Json written_at;
    double instant;
  };
  // The instants of Debezium's AbstractRecordsProducerTest (see events/README.md).
  for (const Case& c : std::initializer_list<Case>{
           {{{"type", "string"}, {"connect.name", "io.debezium.time.ZonedTimestamp"}},
            "2016-11-04T11:51:30.123456Z",
            1478260290.123456},
           {{{"type", "long"}, {"connect.name", "io.debezium.time.MicroTimestamp"}},
            1478267490123456,
            1478267490.123456},
           {{{"type", "long"}, {"connect.name", "io.debezium.time.NanoTimestamp"}},
            1478267490123456000,
            1478267490.123456},
           {{{"type", "long"}, {"connect.name", "io.debezium.time.Timestamp"}},
            1478267490123,
            1478267490.123},
           {{{"type", "long"},
             {"connect.name", "org.apache.kafka.connect.data.Timestamp"},
             {"logicalType", "timestamp-millis"}},
            1478267490123,
            1478267490.123},
           {{{"type", "string"}, {"connect.name", "io.debezium.time.IsoTimestamp"}},
            "2016-11-04T13:51:30.123456Z",
            1478267490.123456},
           {structured_timestamp("StructuredZonedTimestamp"), zoned, 1478260290.123456},
           {structured_timestamp("StructuredTimestamp"), wall_clock, 1478267490.123456}}) {
    std::string schema = envelope_schema(c.avro_type);
    auto parsed = parse_avro_canary_event(encode(schema, c.written_at), schema);
    ASSERT_EQ(parsed.kind, Kind::kEvent) << c.avro_type.dump() << ": " << parsed.message;
    EXPECT_EQ(parsed.event.agent_id, "agent-1");
    EXPECT_EQ(parsed.event.seq, 42);
    EXPECT_NEAR(parsed.event.written_at, c.instant, 1e-6) << c.avro_type.dump();
    EXPECT_NEAR(*parsed.event.committed_at, 1478267490.124, 1e-6);
    EXPECT_NEAR(*parsed.event.captured_at, 1478267490.300, 1e-6);
  }
}

// The envelope's other operations in Avro: a delete (before set, after null) and a truncate
// (op "t", neither) carry no canary row and are skipped by kind, as in JSON.
TEST(AvroEvent, DeletesAndTruncatesAreSkippedByKind) {
  std::string schema = envelope_schema("string");
  Json row = {{"agent_id", "agent-1"}, {"seq", 42}, {"written_at", "2016-11-04T11:51:30Z"}};
  Json source = {{"version", "2.7"},
                 {"connector", "postgresql"},
                 {"name", "orders"},
                 {"ts_ms", 1478267490124}};
  std::string framed = {'\0', 0, 0, 1, 7};
  for (const auto& [op, before, kind] : std::vector<std::tuple<const char*, Json, const char*>>{
           {"d", row, "delete"}, {"t", nullptr, "truncate"}}) {
    Json event = {{"before", before}, {"after", nullptr}, {"source", source}, {"op", op}};
    auto parsed = parse_avro_canary_event(framed + testing::encode_avro(schema, event), schema);
    ASSERT_EQ(parsed.kind, Kind::kSkip) << op << ": " << parsed.message;
    EXPECT_EQ(parsed.message, kind);
  }
}

TEST(AvroEvent, TheSchemaIdIsReadAndBadInputIsANamedError) {
  std::string schema = envelope_schema("string");
  std::string framed = encode(schema, "2016-11-04T11:51:30Z");
  EXPECT_EQ(confluent_schema_id(framed), kSchemaId);
  EXPECT_FALSE(confluent_schema_id("{\"json\":1}"));
  auto truncated = parse_avro_canary_event(framed.substr(0, framed.size() / 2), schema);
  ASSERT_EQ(truncated.kind, Kind::kError);
  EXPECT_NE(truncated.message.find("schema id 263"), std::string::npos) << truncated.message;
  auto bad_schema = parse_avro_canary_event(framed, "{\"type\":\"record\"");
  ASSERT_EQ(bad_schema.kind, Kind::kError);
  EXPECT_NE(bad_schema.message.find("not valid Avro"), std::string::npos) << bad_schema.message;
  EXPECT_EQ(parse_avro_canary_event("plain", schema).kind, Kind::kError);
  // before: null, after: a row whose agent_id claims 2^40 bytes.
  std::string huge = {'\0', 0, 0, 1, 7, 0, 2, '\x80', '\x80', '\x80', '\x80', '\x80', '\x40'};
  EXPECT_EQ(parse_avro_canary_event(huge, schema).kind, Kind::kError);
}

// Schema evolution: two writer schemas on one topic (written_at changed from ZonedTimestamp to
// MicroTimestamp), each fetched once from the registry and cached by id.
TEST(SchemaRegistry, EachWriterSchemaIsFetchedOnceAndDecodesItsEvents) {
  testing::SchemaRegistryServer registry;
  registry.start();
  std::string zoned = envelope_schema(
      Json{{"type", "string"}, {"connect.name", "io.debezium.time.ZonedTimestamp"}});
  std::string micro =
      envelope_schema(Json{{"type", "long"}, {"connect.name", "io.debezium.time.MicroTimestamp"}});
  registry.add(kSchemaId, zoned);
  registry.add(kSchemaId + 1, micro);
  SchemaRegistryClient client({registry.url(), std::nullopt, std::nullopt, "", Millis(2000)});
  std::string old_event = encode(zoned, "2016-11-04T11:51:30.123456Z");
  std::string new_event = encode(micro, 1478267490123456);
  new_event[4] = static_cast<char>(kSchemaId + 1 - 256);  // schema id 264
  for (const std::string& event : {old_event, new_event, old_event, new_event}) {
    auto id = confluent_schema_id(event);
    ASSERT_TRUE(id);
    WriterSchema schema = client.avro_schema(*id, SchemaIdKind::kSchemaId, Millis(2000));
    ASSERT_TRUE(schema.ok()) << schema.error_message;
    auto parsed = parse_avro_canary_event(event, schema.avro);
    ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
    EXPECT_EQ(parsed.event.seq, 42);
  }
  EXPECT_EQ(registry.lookups(kSchemaId), 1u) << "cached by id";
  EXPECT_EQ(registry.lookups(kSchemaId + 1), 1u);
}

TEST(SchemaRegistry, ErrorsAreNamedAndCountedNeverCached) {
  testing::SchemaRegistryServer registry;
  registry.start();
  registry.add(7, "syntax = \"proto3\"; message Value {}", "PROTOBUF");
  SchemaRegistryConfig config{registry.url(), std::nullopt, std::nullopt, "", Millis(2000)};
  SchemaRegistryClient client(config);
  auto missing = client.avro_schema(99, SchemaIdKind::kSchemaId, Millis(2000));
  EXPECT_EQ(missing.error_reason, "not_found");
  EXPECT_NE(missing.error_message.find("40403"), std::string::npos) << missing.error_message;
  EXPECT_NE(missing.error_message.find("schema id 99"), std::string::npos);
  client.avro_schema(99, SchemaIdKind::kSchemaId, Millis(2000));
  EXPECT_EQ(registry.lookups(99), 2u) << "an error is not cached";
  auto protobuf = client.avro_schema(7, SchemaIdKind::kSchemaId, Millis(2000));
  EXPECT_EQ(protobuf.error_reason, "unsupported");
  EXPECT_NE(protobuf.error_message.find("PROTOBUF"), std::string::npos);
  EXPECT_EQ(client.errors(), 3u);

  registry.require_basic_auth("cdcwatch", "s3cret-password");
  auto refused = client.avro_schema(8, SchemaIdKind::kSchemaId, Millis(2000));
  EXPECT_EQ(refused.error_reason, "auth");
  config.username = SecretString{"cdcwatch", "cdcwatch"};
  config.password = SecretString{"s3cret-password", "${env:SR_PASSWORD}"};
  registry.add(8, envelope_schema("string"));
  SchemaRegistryClient authenticated(config);
  EXPECT_TRUE(authenticated.avro_schema(8, SchemaIdKind::kSchemaId, Millis(2000)).ok());

  registry.answer_after(std::chrono::milliseconds(3000));
  auto slow = authenticated.avro_schema(9, SchemaIdKind::kSchemaId, Millis(300));
  EXPECT_EQ(slow.error_reason, "http");
  registry.stop();
  auto down = authenticated.avro_schema(10, SchemaIdKind::kSchemaId, Millis(2000));
  EXPECT_EQ(down.error_reason, "http");
  EXPECT_NE(down.error_message.find(config.url), std::string::npos) << down.error_message;
  EXPECT_EQ(down.error_message.find("s3cret"), std::string::npos) << "never a secret";
}

SchemaRegistryConfig local(const testing::SchemaRegistryServer& registry) {
  return {registry.url(), std::nullopt, std::nullopt, "", Millis(1000)};
}

std::optional<double> counted(const CanaryEventDecoder& decoder, const char* metric,
                              const char* label, const char* value) {
  Readings readings;
  decoder.report(readings, "orders");
  return readings.value(metric, {{"canary", "orders"}, {label, value}});
}

std::string big_endian_8(uint64_t id) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8) out[i] = static_cast<char>(id & 0xff);
  return out;
}

// Apicurio with apicurio.registry.headers.enabled: the value is the Avro datum alone and the
// content id travels in the apicurio.value.contentId header, which the Confluent-compatible API
// resolves. On the old code the header was not read and the datum failed as "not JSON".
TEST(CanaryEventDecoder, ApicuriosContentIdHeaderIsResolvedThroughTheRegistry) {
  testing::SchemaRegistryServer registry;
  registry.start();
  std::string schema = envelope_schema("string");
  registry.add(5, schema);
  CanaryEventDecoder decoder(local(registry));
  std::string datum = encode(schema, "2016-11-04T11:51:30Z").substr(5);
  auto parsed =
      decoder.decode(datum, {{"apicurio.value.contentId", big_endian_8(5)}}, Millis(1000));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_EQ(parsed.event.seq, 42);
  EXPECT_EQ(registry.lookups(5), 1u);
  EXPECT_EQ(decoder.unreadable(), 0u);
}

TEST(CanaryEventDecoder, ApicuriosGlobalIdFramingsAreNamedAndCountedWithTheirFix) {
  testing::SchemaRegistryServer registry;
  registry.start();
  CanaryEventDecoder decoder(local(registry));
  std::string datum = encode(envelope_schema("string"), "2016-11-04T11:51:30Z").substr(5);
  std::string legacy_8_byte = std::string(1, '\0') + big_endian_8(5) + datum;
  for (const auto& [value, headers] : std::vector<std::pair<std::string, RecordHeaders>>{
           {legacy_8_byte, {}},
           {datum, {{"apicurio.value.globalId", big_endian_8(5)}}},
       }) {
    auto parsed = decoder.decode(value, headers, Millis(1000));
    ASSERT_EQ(parsed.kind, Kind::kError);
    EXPECT_NE(parsed.message.find("global id"), std::string::npos) << parsed.message;
    EXPECT_NE(parsed.message.find("/apis/ccompat/v7"), std::string::npos) << parsed.message;
    EXPECT_NE(parsed.message.find("apicurio.registry.use-id=contentId"), std::string::npos);
  }
  auto artifact =
      decoder.decode(datum, {{"apicurio.value.artifactId", "orders-value"}}, Millis(1000));
  EXPECT_NE(artifact.message.find("artifact headers"), std::string::npos) << artifact.message;
  EXPECT_EQ(
      counted(decoder, "cdcwatch_canary_unsupported_events_total", "format", "apicurio_global_id"),
      2);
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_unsupported_events_total", "format",
                    "apicurio_artifact_headers"),
            1);
  EXPECT_EQ(decoder.unreadable(), 3u);
  EXPECT_EQ(registry.lookups(5), 0u) << "a global id is never looked up as a content id";
}

// Apicurio 2.x's default framing (an 8-byte global id after magic byte 0) and its globalId
// header, with schema_registry.url at Apicurio's Confluent-compatible API: the global id is
// resolved through Apicurio's own API, once. On the old code it was an error.
TEST(CanaryEventDecoder, ApicuriosGlobalIdsAreResolvedThroughItsOwnApi) {
  testing::SchemaRegistryServer registry;
  registry.start();
  std::string schema = envelope_schema("string");
  registry.add_global(5, schema);
  registry.add_global(6, "syntax = \"proto3\"; message Envelope {}", "application/x-protobuf");
  registry.add_global(7, R"({"$schema":"http://json-schema.org/draft-07/schema#"})");
  CanaryEventDecoder decoder(
      SchemaRegistryConfig{registry.apicurio_url(), std::nullopt, std::nullopt, "", Millis(1000)});
  std::string datum = encode(schema, "2016-11-04T11:51:30Z").substr(5);
  for (const auto& [value, headers] : std::vector<std::pair<std::string, RecordHeaders>>{
           {std::string(1, '\0') + big_endian_8(5) + datum, {}},
           {datum, {{"apicurio.value.globalId", big_endian_8(5)}}},
       }) {
    auto parsed = decoder.decode(value, headers, Millis(1000));
    ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
    EXPECT_EQ(parsed.event.seq, 42);
  }
  EXPECT_EQ(registry.global_lookups(5), 1u) << "cached by global id";
  registry.add(kSchemaId, schema);  // content ids through the Confluent-compatible API
  EXPECT_EQ(decoder.decode(encode(schema, "2016-11-04T11:51:30Z"), {}, Millis(1000)).kind,
            Kind::kEvent);
  EXPECT_EQ(registry.lookups(kSchemaId), 1u);
  auto protobuf =
      decoder.decode(datum, {{"apicurio.value.globalId", big_endian_8(6)}}, Millis(1000));
  EXPECT_NE(protobuf.message.find("PROTOBUF"), std::string::npos) << protobuf.message;
  auto json_schema =
      decoder.decode(datum, {{"apicurio.value.globalId", big_endian_8(7)}}, Millis(1000));
  EXPECT_NE(json_schema.message.find("JsonSchemaConverter"), std::string::npos)
      << json_schema.message;
  auto missing =
      decoder.decode(datum, {{"apicurio.value.globalId", big_endian_8(8)}}, Millis(1000));
  EXPECT_NE(missing.message.find("apicurio.registry.url"), std::string::npos) << missing.message;
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_schema_registry_errors_total", "reason", "not_found"),
            1);
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_unsupported_events_total", "format", "protobuf"), 1);
}

// Confluent's ProtobufConverter and JsonSchemaConverter: the same framing, a schemaType the
// registry names. Each event is counted by format; each id is asked once (an id's type never
// changes). On the old code the answer was not cached and the format not counted.
TEST(CanaryEventDecoder, ProtobufAndJsonSchemaEventsAreNamedCountedAndLookedUpOnce) {
  testing::SchemaRegistryServer registry;
  registry.start();
  registry.add(7, "syntax = \"proto3\"; message Envelope { string op = 1; }", "PROTOBUF");
  registry.add(8, R"({"type":"object","title":"orders.public.cdcwatch_canary.Envelope"})", "JSON");
  CanaryEventDecoder decoder(local(registry));
  // Schema id 7, message indexes [0] (a single 0 byte), then the Protobuf message.
  std::string protobuf = std::string("\0\0\0\0\x07\0\x0a\x01u", 9);
  std::string json_schema = std::string("\0\0\0\0\x08", 5) + R"({"op":"u"})";
  for (int i = 0; i < 2; ++i) {
    auto parsed = decoder.decode(protobuf, {}, Millis(1000));
    ASSERT_EQ(parsed.kind, Kind::kError);
    EXPECT_NE(parsed.message.find("ProtobufConverter"), std::string::npos) << parsed.message;
    EXPECT_NE(parsed.message.find("message indexes [0]"), std::string::npos) << parsed.message;
  }
  auto json = decoder.decode(json_schema, {}, Millis(1000));
  EXPECT_NE(json.message.find("JsonSchemaConverter"), std::string::npos) << json.message;
  EXPECT_EQ(registry.lookups(7), 1u) << "the answer is cached by id";
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_unsupported_events_total", "format", "protobuf"), 2);
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_unsupported_events_total", "format", "json_schema"),
            1);
  EXPECT_EQ(
      counted(decoder, "cdcwatch_canary_schema_registry_errors_total", "reason", "unsupported"), 3);
  EXPECT_EQ(decoder.unreadable(), 3u);
}

TEST(CanaryEventDecoder, RegistryFramingWithoutSchemaRegistryConfiguredIsNamed) {
  CanaryEventDecoder decoder(std::optional<SchemaRegistryConfig>{});
  auto parsed =
      decoder.decode(encode(envelope_schema("string"), "2016-11-04T11:51:30Z"), {}, Millis(1000));
  ASSERT_EQ(parsed.kind, Kind::kError);
  EXPECT_NE(parsed.message.find("schema_registry.url"), std::string::npos) << parsed.message;
  EXPECT_EQ(counted(decoder, "cdcwatch_canary_unsupported_events_total", "format",
                    "schema_registry_not_configured"),
            1);
  EXPECT_FALSE(counted(decoder, "cdcwatch_canary_schema_registry_errors_total", "reason", "http"))
      << "no registry, no registry errors";
}

}  // namespace
}  // namespace cdcwatch
