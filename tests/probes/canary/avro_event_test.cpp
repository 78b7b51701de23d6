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

TEST(AvroEvent, EveryTemporalEncodingOfWrittenAtDecodesToTheRightInstant) {
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
            1478267490.123}}) {
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
    WriterSchema schema = client.avro_schema(*id, Millis(2000));
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
  auto missing = client.avro_schema(99, Millis(2000));
  EXPECT_EQ(missing.error_reason, "not_found");
  EXPECT_NE(missing.error_message.find("40403"), std::string::npos) << missing.error_message;
  EXPECT_NE(missing.error_message.find("schema id 99"), std::string::npos);
  client.avro_schema(99, Millis(2000));
  EXPECT_EQ(registry.lookups(99), 2u) << "an error is not cached";
  auto protobuf = client.avro_schema(7, Millis(2000));
  EXPECT_EQ(protobuf.error_reason, "unsupported");
  EXPECT_NE(protobuf.error_message.find("PROTOBUF"), std::string::npos);
  EXPECT_EQ(client.errors(), 3u);

  registry.require_basic_auth("cdcwatch", "s3cret-password");
  auto refused = client.avro_schema(8, Millis(2000));
  EXPECT_EQ(refused.error_reason, "auth");
  config.username = SecretString{"cdcwatch", "cdcwatch"};
  config.password = SecretString{"s3cret-password", "${env:SR_PASSWORD}"};
  registry.add(8, envelope_schema("string"));
  SchemaRegistryClient authenticated(config);
  EXPECT_TRUE(authenticated.avro_schema(8, Millis(2000)).ok());

  registry.answer_after(std::chrono::milliseconds(3000));
  auto slow = authenticated.avro_schema(9, Millis(300));
  EXPECT_EQ(slow.error_reason, "http");
  registry.stop();
  auto down = authenticated.avro_schema(10, Millis(2000));
  EXPECT_EQ(down.error_reason, "http");
  EXPECT_NE(down.error_message.find(config.url), std::string::npos) << down.error_message;
  EXPECT_EQ(down.error_message.find("s3cret"), std::string::npos) << "never a secret";
}

TEST(SchemaRegistry, ApicuriosEightByteIdFramingIsNamed) {
  testing::SchemaRegistryServer registry;
  registry.start();
  CanaryEventDecoder decoder(
      SchemaRegistryConfig{registry.url(), std::nullopt, std::nullopt, "", Millis(1000)});
  std::string apicurio = {'\0', 0, 0, 0, 0, 0, 0, 0, 5, 2, 'x'};
  auto parsed = decoder.decode(apicurio, Millis(1000));
  ASSERT_EQ(parsed.kind, Kind::kError);
  EXPECT_NE(parsed.message.find("Apicurio"), std::string::npos) << parsed.message;
  EXPECT_EQ(registry.lookups(0), 0u);
}

}  // namespace
}  // namespace cdcwatch
