// The `alerts:` and `notifiers:` settings that would flood a peer or never deliver are refused at
// load, naming the file, line and fix (#23).
#include "agent/alerting/alerts_config.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

const std::string kKey = "routing_key: R0UT1NGKEY0123456789abcdef012345\n";

std::string notifiers_error(const std::string& yaml) {
  try {
    parse_notifiers_config(ConfigNode::load_string(yaml, "cdcwatch.yml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(NotifierSettings, TimeoutsAndBackoffBelowTheirFloorsAreRefusedWithLineAndFix) {
  std::string error = notifiers_error("pagerduty:\n  " + kKey + "  timeout: 0s\n");
  EXPECT_NE(error.find("cdcwatch.yml:3"), std::string::npos) << error;
  EXPECT_NE(error.find("at least 1s"), std::string::npos) << error;
  error = notifiers_error("retry_max_delay: 0s\n");
  EXPECT_NE(error.find("cdcwatch.yml:1"), std::string::npos) << error;
  EXPECT_NE(error.find("at least 1s"), std::string::npos) << error;
  error = notifiers_error("webhooks:\n  - url: https://hooks.example/x\n    timeout: 500ms\n");
  EXPECT_NE(error.find("cdcwatch.yml:3"), std::string::npos) << error;
  EXPECT_EQ(notifiers_error("retry_max_delay: 1s\npagerduty:\n  " + kKey + "  timeout: 2s\n"), "");
}

TEST(NotifierSettings, OnlyHttpAndHttpsUrlsAreAccepted) {
  for (const char* url : {"ftp://events.example/v2/enqueue", "events.pagerduty.com/v2/enqueue",
                          "https://", "http:///enqueue", "https://exa mple.com/"}) {
    SCOPED_TRACE(url);
    std::string error = notifiers_error("pagerduty:\n  " + kKey + "  url: " + url + "\n");
    EXPECT_NE(error.find("cdcwatch.yml:3"), std::string::npos) << error;
    EXPECT_NE(error.find("write e.g."), std::string::npos) << error;
  }
  EXPECT_EQ(notifiers_error("pagerduty:\n  " + kKey + "  url: http://127.0.0.1:8080/v2/enqueue\n"),
            "");
}

TEST(NotifierSettings, AWebhookUrlIsCheckedWithoutPrintingIt) {
  std::string error = notifiers_error("webhooks:\n  - url: ftp://user:s3cret@hooks.example/x\n");
  EXPECT_NE(error.find("cdcwatch.yml:2"), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret"), std::string::npos) << "a webhook URL may carry a token";
}

TEST(AlertSettings, RetriggerIntervalHasADefaultAndAFloor) {
  EXPECT_EQ(parse_alerts_config(ConfigNode::load_string("{}", "cdcwatch.yml")).retrigger_interval,
            Millis(300000));
  EXPECT_EQ(parse_alerts_config(ConfigNode::load_string("retrigger_interval: 2m", "cdcwatch.yml"))
                .retrigger_interval,
            Millis(120000));
  EXPECT_THROW(parse_alerts_config(ConfigNode::load_string("retrigger_interval: 5s", "c.yml")),
               ConfigError);
}

TEST(AlertSettings, GroupingIsByPipelineUnlessSetToAlert) {
  auto grouping = [](const std::string& yaml) {
    return parse_alerts_config(ConfigNode::load_string(yaml, "cdcwatch.yml")).grouping;
  };
  EXPECT_EQ(grouping("{}"), Grouping::kPipeline);
  EXPECT_EQ(grouping("grouping: pipeline"), Grouping::kPipeline);
  EXPECT_EQ(grouping("grouping: alert"), Grouping::kAlert);
  try {
    grouping("\ngrouping: pipelines");
    FAIL() << "a misspelt grouping was accepted";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("cdcwatch.yml:2"), std::string::npos) << message;
    EXPECT_NE(message.find("'pipelines' is not a grouping; write 'pipeline'"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace cdcwatch
