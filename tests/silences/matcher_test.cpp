#include "agent/silences/matcher.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

TEST(Matcher, AllPairsMustEqualTheInstancesLabels) {
  Matcher matcher = parse_matcher("pipeline=orders, hop=sink");
  EXPECT_EQ(matcher.text(), "pipeline=orders,hop=sink");
  EXPECT_TRUE(
      matcher.matches({{"alert", "CdcSinkStalled"}, {"hop", "sink"}, {"pipeline", "orders"}}));
  EXPECT_FALSE(matcher.matches({{"hop", "slot"}, {"pipeline", "orders"}}));
  EXPECT_FALSE(matcher.matches({{"pipeline", "orders"}})) << "a missing label is no match";
  EXPECT_TRUE(
      parse_matcher("alert=CdcSlotLost").matches({{"alert", "CdcSlotLost"}, {"slot", "s"}}));
}

TEST(Matcher, ErrorsNameTheBadPart) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c :
       {Case{"", "empty matcher"}, Case{"pipeline", "bad matcher part 'pipeline': no '='"},
        Case{"pipeline=orders,", "bad matcher part '': no '='"},
        Case{"=orders", "the key must be a label name"},
        Case{"pipe line=orders", "'pipe line=orders'"}, Case{"hop=", "empty value; say which hop"},
        Case{"hop=sink,hop=slot", "'hop' is given twice"}}) {
    try {
      parse_matcher(c.text);
      ADD_FAILURE() << c.text << " was accepted";
    } catch (const MatcherError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << c.text << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace cdcwatch
