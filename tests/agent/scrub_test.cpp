// Secrets are scrubbed wherever they travel: log lines, /status JSON, peers' error messages.
#include <gtest/gtest.h>

#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

TEST(ScrubSecrets, ReplacesEveryOccurrenceLongestFirst) {
  remember_secret("pa55word");
  remember_secret("pa55word-and-more");
  EXPECT_EQ(scrub_secrets("a pa55word-and-more b pa55word c"), "a <redacted> b <redacted> c");
}

TEST(ScrubSecrets, FindsSecretsWithQuotesInsideJsonStructurally) {
  remember_secret(R"(q"uo\te)");
  nlohmann::json status = {{"error", {{"message", R"(password "q"uo\te" rejected)"}}},
                           {"list", {R"(q"uo\te)", 3}}};
  scrub_secrets_in(status);
  EXPECT_EQ(status["error"]["message"], R"(password "<redacted>" rejected)");
  EXPECT_EQ(status["list"][0], "<redacted>");
  EXPECT_EQ(status["list"][1], 3);
}

TEST(ScrubSecrets, IgnoresValuesTooShortToScrubSafely) {
  remember_secret("ab");
  EXPECT_EQ(scrub_secrets("abc"), "abc");
}

TEST(ResolveSecrets, ReportsTheReferenceNeverTheValue) {
  setenv("CDCWATCH_SCRUB_TEST", "v4lue-never-shown", 1);
  SecretString resolved = resolve_secrets("user=x password=${env:CDCWATCH_SCRUB_TEST}");
  EXPECT_EQ(resolved.value, "user=x password=v4lue-never-shown");
  EXPECT_EQ(resolved.display, "user=x password=<redacted>");
  EXPECT_EQ(scrub_secrets("echo v4lue-never-shown"), "echo <redacted>");
  try {
    resolve_secrets("${env:CDCWATCH_SCRUB_TEST_UNSET}");
    FAIL() << "an unset variable must be an error";
  } catch (const SecretError& e) {
    EXPECT_NE(std::string(e.what()).find("${env:CDCWATCH_SCRUB_TEST_UNSET}"), std::string::npos);
  }
}

}  // namespace
}  // namespace cdcwatch
