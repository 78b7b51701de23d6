// The canary's change-event parser against recorded Debezium PostgreSQL events (events/*.json):
// every converter/SMT variant the Kafka observer accepts, and what it refuses, by name.
#include "probes/canary/debezium_event.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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
