// The canary's change-event parser against recorded Debezium PostgreSQL events (events/*.json):
// every converter/SMT variant the Kafka observer accepts, and what it refuses, by name.
#include "probes/canary/debezium_event.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "probes/canary/debezium_temporal.h"

namespace cdcwatch {
namespace {

using Kind = ParsedCanaryEvent::Kind;
constexpr double kWrittenAt = 1795643243.123456;  // 2026-11-25T21:47:23.123456Z

std::string event_file(const std::string& name) {
  std::ifstream file(std::string(CDCWATCH_CANARY_EVENTS) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

TEST(DebeziumEvent, EnvelopeWithSchemasEnabled) {
  auto parsed = parse_canary_event(event_file("envelope_schemas.json"));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_EQ(parsed.event.agent_id, "agent-1");
  EXPECT_EQ(parsed.event.seq, 42);
  EXPECT_NEAR(parsed.event.written_at, kWrittenAt, 1e-6);
  EXPECT_NEAR(*parsed.event.committed_at, 1795643243.124, 1e-6);
  EXPECT_NEAR(*parsed.event.captured_at, 1795643243.300, 1e-6);
}

TEST(DebeziumEvent, EnvelopeWithoutSchemas) {
  auto parsed = parse_canary_event(event_file("envelope_plain.json"));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_EQ(parsed.event.seq, 42);
  EXPECT_NEAR(*parsed.event.captured_at, 1795643243.300, 1e-6);
}

TEST(DebeziumEvent, ExtractNewRecordStateWithDeletedField) {
  auto parsed = parse_canary_event(event_file("unwrapped.json"));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_EQ(parsed.event.seq, 42);
  EXPECT_NEAR(parsed.event.written_at, kWrittenAt, 1e-6);
  EXPECT_FALSE(parsed.event.committed_at) << "no add.fields: the hop timings are unknown";
}

TEST(DebeziumEvent, ExtractNewRecordStateWithSchemasAndAddedFieldsAndAZoneOffset) {
  auto parsed = parse_canary_event(event_file("unwrapped_schemas_add_fields.json"));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_NEAR(parsed.event.written_at, kWrittenAt, 1e-6) << "+02:00 is two hours ahead of UTC";
  EXPECT_NEAR(*parsed.event.committed_at, 1795643243.124, 1e-6);
  EXPECT_NEAR(*parsed.event.captured_at, 1795643243.300, 1e-6);
}

TEST(DebeziumEvent, StringSeqAndMicroTimestampFromAPlainTimestampColumn) {
  auto parsed = parse_canary_event(event_file("seq_as_string_micro_timestamp.json"));
  ASSERT_EQ(parsed.kind, Kind::kEvent) << parsed.message;
  EXPECT_EQ(parsed.event.seq, 42);
  EXPECT_NEAR(parsed.event.written_at, kWrittenAt, 1e-6);
}

TEST(DebeziumEvent, DeletesAndTombstonesAreSkippedNotErrors) {
  EXPECT_EQ(parse_canary_event(event_file("unwrapped_deleted.json")).kind, Kind::kSkip);
  EXPECT_EQ(parse_canary_event(event_file("delete_envelope.json")).kind, Kind::kSkip);
  EXPECT_EQ(parse_canary_event("").kind, Kind::kSkip);
  EXPECT_EQ(parse_canary_event(R"({"schema":{"type":"struct"},"payload":null})").kind, Kind::kSkip);
}

TEST(DebeziumEvent, ConfluentAvroIsNamedAsUnsupported) {
  std::string avro(
      "\x00\x00\x00\x01\x07\x0e"
      "agent-1",
      13);
  auto parsed = parse_canary_event(avro);
  ASSERT_EQ(parsed.kind, Kind::kError);
  EXPECT_NE(parsed.message.find("Schema Registry"), std::string::npos) << parsed.message;
  EXPECT_NE(parsed.message.find("schema id 263"), std::string::npos) << parsed.message;
  EXPECT_NE(parsed.message.find("JsonConverter"), std::string::npos) << parsed.message;
}

TEST(DebeziumEvent, MalformedAndTruncatedEventsAreErrorsThatSayWhatIsWrong) {
  std::string whole = event_file("envelope_plain.json");
  auto truncated = parse_canary_event(whole.substr(0, whole.size() / 2));
  ASSERT_EQ(truncated.kind, Kind::kError);
  EXPECT_NE(truncated.message.find("not JSON"), std::string::npos);
  auto other = parse_canary_event(event_file("other_table.json"));
  ASSERT_EQ(other.kind, Kind::kError);
  EXPECT_NE(other.message.find("after.agent_id"), std::string::npos) << other.message;
  EXPECT_NE(other.message.find("canary table's topic"), std::string::npos) << other.message;
  EXPECT_EQ(parse_canary_event("[1,2]").kind, Kind::kError);
  EXPECT_EQ(parse_canary_event("\"text\"").kind, Kind::kError);
  auto bad_time = parse_canary_event(R"({"agent_id":"a","seq":1,"written_at":"yesterday"})");
  ASSERT_EQ(bad_time.kind, Kind::kError);
  EXPECT_NE(bad_time.message.find("ZonedTimestamp"), std::string::npos);
  EXPECT_EQ(
      parse_canary_event(R"({"agent_id":"a","seq":1.5,"written_at":"2026-11-25T21:47:23Z"})").kind,
      Kind::kError);
}

// The instants of Debezium's own test (AbstractRecordsProducerTest): the timestamp column
// '2016-11-04T13:51:30.123456' and the timestamptz column '2016-11-04T13:51:30.123456+02:00'.
constexpr double kTimestampColumn = 1478267490.123456;
constexpr double kTimestamptzColumn = 1478260290.123456;

// Issue #15 item 7: every time.precision.mode encoding decodes to the right instant. On the old
// code the nanosecond, structured and schema-named forms failed: a NanoTimestamp read as
// microseconds lands in the year 48800, so freshness read 0 forever.
TEST(DebeziumEvent, EveryTemporalEncodingDecodesToTheRightInstant) {
  struct Case {
    const char* file;
    double instant;
  };
  for (const Case& c :
       std::initializer_list<Case>{{"temporal_zoned_timestamp.json", kTimestamptzColumn},
                                   {"temporal_structured_zoned_timestamp.json", kTimestamptzColumn},
                                   {"temporal_micro_timestamp.json", kTimestampColumn},
                                   {"temporal_nano_timestamp.json", kTimestampColumn},
                                   {"temporal_nano_no_schema.json", kTimestampColumn},
                                   {"temporal_iso_timestamp.json", kTimestampColumn},
                                   {"temporal_structured_timestamp.json", kTimestampColumn},
                                   {"temporal_timestamp_millis.json", 1478267490.123},
                                   {"temporal_connect_timestamp.json", 1478267490.123},
                                   {"temporal_millis_no_schema.json", 1478267490.123}}) {
    auto parsed = parse_canary_event(event_file(c.file));
    ASSERT_EQ(parsed.kind, Kind::kEvent) << c.file << ": " << parsed.message;
    EXPECT_EQ(parsed.event.seq, 42) << c.file;
    EXPECT_NEAR(parsed.event.written_at, c.instant, 1e-6) << c.file;
  }
}

TEST(DebeziumTemporal, TheSchemaNameDecidesTheUnitOverTheMagnitude) {
  nlohmann::json millis = 1478267490123;
  EXPECT_NEAR(*decode_debezium_timestamp(millis, "io.debezium.time.Timestamp").seconds,
              1478267490.123, 1e-6);
  EXPECT_NEAR(*decode_debezium_timestamp(millis, "io.debezium.time.MicroTimestamp").seconds,
              1478267.490123, 1e-6)
      << "a named unit is taken as written, even when implausible";
  auto wrong_type = decode_debezium_timestamp("2016-11-04T11:51:30Z", "io.debezium.time.Timestamp");
  EXPECT_FALSE(wrong_type.seconds);
  EXPECT_NE(wrong_type.problem.find("not an integer"), std::string::npos);
  auto unknown = decode_debezium_timestamp(millis, "io.debezium.time.Date");
  EXPECT_FALSE(unknown.seconds);
  EXPECT_NE(unknown.problem.find("io.debezium.time.Date"), std::string::npos);
  auto infinity = decode_debezium_timestamp(nlohmann::json{{"specialValue", "infinity"}},
                                            "io.debezium.time.StructuredTimestamp");
  EXPECT_NE(infinity.problem.find("infinity"), std::string::npos);
  EXPECT_FALSE(decode_debezium_timestamp("infinity", "io.debezium.time.ZonedTimestamp").seconds);
}

TEST(DebeziumEvent, TruncateMessageAndHeartbeatEventsAreSkippedByKind) {
  for (auto [file, kind] : std::initializer_list<std::pair<const char*, const char*>>{
           {"truncate_docs.json", "truncate"},
           {"message_transactional_docs.json", "message"},
           {"message_non_transactional_docs.json", "message"},
           {"heartbeat_schemas.json", "heartbeat"},
           {"heartbeat_plain.json", "heartbeat"},
           {"delete_envelope.json", "delete"}}) {
    auto parsed = parse_canary_event(event_file(file));
    EXPECT_EQ(parsed.kind, Kind::kSkip) << file << ": " << parsed.message;
    EXPECT_EQ(parsed.message, kind) << file;
  }
}

TEST(Iso8601, ParsesWhatDebeziumWritesAndRefusesTheRest) {
  EXPECT_DOUBLE_EQ(*parse_iso8601("2026-11-25T21:47:23Z"), 1795643243);
  EXPECT_NEAR(*parse_iso8601("2026-11-25T21:47:23.5Z"), 1795643243.5, 1e-9);
  EXPECT_DOUBLE_EQ(*parse_iso8601("2026-11-25T16:17:23-05:30"), 1795643243);
  for (const char* bad :
       {"", "2026-11-25", "2026-11-25T21:47:23", "2026-13-25T21:47:23Z", "2026-11-25T21:47:23.Z",
        "2026-11-25T21:47:23Zjunk", "2026-11-25T21:47:23+0200"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

}  // namespace
}  // namespace cdcwatch
