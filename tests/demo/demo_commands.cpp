#include "tests/demo/demo_commands.h"

#include <cctype>
#include <sstream>

namespace cdcwatch::demo {

using testing::Fault;

const std::vector<FaultCommand>& fault_commands() {
  static const std::vector<FaultCommand> commands = {
      {"break sink", Fault::kSinkStalled,
       "the sink connector says RUNNING but loads and commits nothing (Challenge 4)",
       "CdcConsumerGroupStalled in about 10 s (the sink's group commits without moving over 5 "
       "observations 2 s apart), then CdcCanaryStaleAtWarehouse once the newest canary row in "
       "the warehouse is 20 s old"},
      {"fail sink", Fault::kSinkTaskFailed, "the sink connector's task FAILED with a stack trace",
       "CdcConnectorTaskFailed at the next Connect check (2 s), then CdcCanaryStaleAtWarehouse "
       "after 20 s"},
      {"break capture", Fault::kCaptureStopped,
       "capture stops: nothing reads the replication slot, which retains WAL (Challenge 2)",
       "CdcCanaryStaleAtKafka and CdcCanaryStaleAtWarehouse once the newest canary is 20 s old"},
      {"break kafka", Fault::kBrokersDown, "all three Kafka brokers go down",
       "CdcKafkaDown within about 5 s (cdcwatch_kafka_up is 0 for 2 s), then the canaries go "
       "stale"},
      {"slow warehouse", Fault::kWarehouseSlow,
       "each sink batch takes 15 s to load into the warehouse",
       "CdcCanaryStaleAtWarehouse once a canary row waits past 20 s; Kafka stays fresh"},
  };
  return commands;
}

const FaultCommand& fault_command(Fault fault) {
  for (const auto& command : fault_commands()) {
    if (command.fault == fault) return command;
  }
  return fault_commands().front();
}

DemoCommand parse_command(std::string_view line) {
  std::istringstream words{std::string(line)};
  std::string normal, word;
  while (words >> word) {
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    normal += (normal.empty() ? "" : " ") + word;
  }
  DemoCommand command{.typed = normal};
  if (normal.empty()) return command;
  for (const auto& fault : fault_commands()) {
    if (normal == fault.words) {
      command.kind = DemoCommand::Kind::kBreak;
      command.fault = fault.fault;
      return command;
    }
  }
  command.kind = normal == "heal"                       ? DemoCommand::Kind::kHeal
                 : normal == "status"                   ? DemoCommand::Kind::kStatus
                 : normal == "help" || normal == "?"    ? DemoCommand::Kind::kHelp
                 : normal == "quit" || normal == "exit" ? DemoCommand::Kind::kQuit
                                                        : DemoCommand::Kind::kUnknown;
  return command;
}

std::string command_help() {
  std::string out = "Commands (type one and press Enter):\n";
  char line[160];
  for (const auto& fault : fault_commands()) {
    std::snprintf(line, sizeof line, "  %-15s %s\n", fault.words.c_str(), fault.what.c_str());
    out += line;
  }
  out +=
      "  heal            heal every fault; open pages resolve within seconds\n"
      "  status          the faults in force, the open pages, canary freshness, events moved\n"
      "  help            this list\n"
      "  quit            stop everything (as Ctrl-C does)\n";
  return out;
}

}  // namespace cdcwatch::demo
