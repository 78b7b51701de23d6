// The demo's pieces without the pipeline: typed commands, the port choice and the page narration.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "tests/demo/demo_commands.h"
#include "tests/demo/listen_port.h"
#include "tests/demo/page_narrator.h"

namespace cdcwatch::demo {
namespace {

using testing::Fault;
using Kind = DemoCommand::Kind;

TEST(DemoCommands, ParsesWhatTheUserTypes) {
  struct Case {
    const char* typed;
    Kind kind;
    std::optional<Fault> fault;
  } cases[] = {
      {"break sink", Kind::kBreak, Fault::kSinkStalled},
      {"  Break   SINK \r", Kind::kBreak, Fault::kSinkStalled},
      {"fail sink", Kind::kBreak, Fault::kSinkTaskFailed},
      {"break capture", Kind::kBreak, Fault::kCaptureStopped},
      {"break kafka", Kind::kBreak, Fault::kBrokersDown},
      {"slow warehouse", Kind::kBreak, Fault::kWarehouseSlow},
      {"heal", Kind::kHeal, std::nullopt},
      {"status", Kind::kStatus, std::nullopt},
      {"help", Kind::kHelp, std::nullopt},
      {"?", Kind::kHelp, std::nullopt},
      {"quit", Kind::kQuit, std::nullopt},
      {"", Kind::kNone, std::nullopt},
      {"break", Kind::kUnknown, std::nullopt},
      {"break warehouse", Kind::kUnknown, std::nullopt},
  };
  for (const auto& c : cases) {
    DemoCommand command = parse_command(c.typed);
    EXPECT_EQ(command.kind, c.kind) << c.typed;
    EXPECT_EQ(command.fault, c.fault) << c.typed;
  }
  EXPECT_EQ(parse_command("  Break   SINK ").typed, "break sink");
}

TEST(DemoCommands, HelpListsEveryCommand) {
  std::string help = command_help();
  for (const char* words : {"break sink", "break capture", "break kafka", "slow warehouse", "heal",
                            "status", "help", "quit"}) {
    EXPECT_NE(help.find("  " + std::string(words) + " "), std::string::npos) << words;
  }
}

int listener_on_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  listen(fd, 1);
  return fd;
}

int port_of(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

TEST(ListenPort, ATakenPortMovesToTheNextFreeOne) {
  int held = listener_on_free_port();
  int port = port_of(held);
  EXPECT_FALSE(port_free("127.0.0.1", port));
  auto chosen = first_free_port("127.0.0.1", port);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_GT(*chosen, port);
  EXPECT_TRUE(port_free("127.0.0.1", *chosen));
  close(held);
  EXPECT_EQ(first_free_port("127.0.0.1", port), port);
}

TEST(ListenPort, NoneFreeWhenEveryTriedPortIsTaken) {
  int held = listener_on_free_port();
  EXPECT_EQ(first_free_port("127.0.0.1", port_of(held), 1), std::nullopt);
  close(held);
}

nlohmann::json trigger(const std::string& dedup_key) {
  return {{"event_action", "trigger"},
          {"dedup_key", dedup_key},
          {"payload",
           {{"summary", "cdcwatch cannot reach Kafka cluster msk"},
            {"severity", "critical"},
            {"class", "CdcKafkaDown"},
            {"component", "kafka"}}},
          {"links",
           {{{"href", "file://" CDCWATCH_SOURCE_DIR "/runbooks/kafka-down.md"},
             {"text", "Runbook: CdcKafkaDown"}}}}};
}

TEST(PageNarrator, OneBlockPerPageWithItsMeaningAndOneLinePerResolve) {
  FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Console console(out);
  PageNarrator narrator(console);
  narrator.on_event(trigger("CdcKafkaDown:kafka=msk"));
  narrator.on_event(trigger("CdcKafkaDown:kafka=msk"));  // the agent re-sends after a restart
  EXPECT_EQ(narrator.open_pages().size(), 1u);
  narrator.on_event({{"event_action", "resolve"}, {"dedup_key", "CdcKafkaDown:kafka=msk"}});
  EXPECT_TRUE(narrator.open_pages().empty());
  std::string text(static_cast<size_t>(std::ftell(out)), '\0');
  std::rewind(out);
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);

  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("PAGE critical  CdcKafkaDown  (stage: kafka)"), 1u) << text;
  EXPECT_EQ(count("cdcwatch cannot reach Kafka cluster msk"), 1u) << text;
  EXPECT_EQ(count("still firing"), 1u) << text;
  EXPECT_EQ(count("What it means: "), 1u) << text;
  EXPECT_EQ(count("Runbook: file://"), 1u) << text;
  EXPECT_EQ(count("RESOLVED CdcKafkaDown (kafka=msk), open "), 1u) << text;
}

TEST(PageNarrator, RunbookMeaningIsTheTitleAndWhatFiredSection) {
  std::string meaning = runbook_meaning("file://" CDCWATCH_SOURCE_DIR "/runbooks/kafka-down.md");
  EXPECT_EQ(meaning.rfind("    What it means: ", 0), 0u) << meaning;
  EXPECT_EQ(meaning.find("## "), std::string::npos) << meaning;
  EXPECT_EQ(runbook_meaning("https://example.com/runbooks/kafka-down.md"), "");
  EXPECT_EQ(runbook_meaning("file:///nonexistent/kafka-down.md"), "");
}

}  // namespace
}  // namespace cdcwatch::demo
