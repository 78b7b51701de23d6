// The framings of record_framing.h, told apart from a value's bytes and its headers.
#include "probes/canary/record_framing.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

using Kind = RecordFraming::Kind;

TEST(RecordFraming, ConfluentsFourByteIdAndApicuriosContentIdHeaderResolve) {
  std::string confluent_value("\0\0\0\x01\x07\x02xy", 8);  // `datum` views into it
  auto confluent = detect_framing(confluent_value, {});
  ASSERT_EQ(confluent.kind, Kind::kSchemaId);
  EXPECT_EQ(confluent.schema_id, 263u);
  EXPECT_EQ(confluent.datum, "\x02xy");

  std::string datum = "\x02xy";
  auto header =
      detect_framing(datum, {{"apicurio.value.contentId", std::string("\0\0\0\0\0\0\x01\x08", 8)}});
  ASSERT_EQ(header.kind, Kind::kSchemaId);
  EXPECT_EQ(header.schema_id, 264u);
  EXPECT_EQ(header.datum, datum) << "the value is the datum alone";
}

TEST(RecordFraming, ApicuriosGlobalIdsAreToldApartAndArtifactHeadersAreUnsupported) {
  std::string legacy_value("\0\0\0\0\0\0\0\0\x05\x02", 10);  // `datum` views into it
  auto legacy = detect_framing(legacy_value, {});
  EXPECT_EQ(legacy.kind, Kind::kGlobalId);
  EXPECT_EQ(legacy.schema_id, 5u);
  EXPECT_EQ(legacy.datum, "\x02");
  EXPECT_NE(legacy.problem.find("id 5"), std::string::npos) << legacy.problem;
  auto header =
      detect_framing("\x02", {{"apicurio.value.globalId", std::string("\0\0\0\0\0\0\0\x05", 8)}});
  EXPECT_EQ(header.kind, Kind::kGlobalId);
  EXPECT_EQ(header.datum, "\x02");
  auto artifact = detect_framing("\x02", {{"apicurio.value.artifactId", "orders-value"}});
  EXPECT_EQ(artifact.kind, Kind::kUnsupported);
  EXPECT_EQ(artifact.format, "apicurio_artifact_headers");
}

TEST(RecordFraming, JsonTombstonesAndMalformedHeadersArePlain) {
  EXPECT_EQ(detect_framing(R"({"op":"u"})", {}).kind, Kind::kPlain);
  EXPECT_EQ(detect_framing("", {{"apicurio.value.contentId", std::string(8, '\0')}}).kind,
            Kind::kPlain)
      << "a tombstone, whatever its headers";
  EXPECT_EQ(detect_framing(R"({"op":"u"})", {{"apicurio.value.contentId", "short"}}).kind,
            Kind::kPlain);
  EXPECT_EQ(detect_framing(std::string("\0\0\x01", 3), {}).kind, Kind::kPlain);
}

TEST(RecordFraming, ProtobufMessageIndexesAreRead) {
  EXPECT_EQ(protobuf_message_indexes(std::string("\0", 1)), "[0]");
  EXPECT_EQ(protobuf_message_indexes(std::string("\x04\x02\x00", 3)), "[1, 0]");
  EXPECT_EQ(protobuf_message_indexes("\xff"), "");
  EXPECT_EQ(protobuf_message_indexes(""), "");
}

}  // namespace
}  // namespace cdcwatch
