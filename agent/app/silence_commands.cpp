#include "agent/app/silence_commands.h"

#include <iostream>
#include <map>
#include <optional>

#include "agent/app/agent_settings.h"
#include "agent/app/commands.h"
#include "agent/core/config_node.h"
#include "agent/pipeline/pipeline_def.h"
#include "agent/silences/silence_file.h"

namespace cdcwatch {
namespace {

constexpr const char* kSilenceUsage =
    "usage: cdcwatch silence add --config FILE --match KEY=VALUE[,KEY=VALUE...] --duration 2h "
    "--comment TEXT\n"
    "       cdcwatch silence list --config FILE\n"
    "       cdcwatch silence expire --config FILE ID\n";

struct Request {
  std::string verb;
  std::map<std::string, std::string> options;  // "--match" -> value
  std::vector<std::string> positional;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Request parse_request(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("silence needs add, list or expire");
  Request request{args[0], {}, {}};
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-c") {
      if (i + 1 >= args.size()) throw UsageError("-c needs a value");
      request.options["--config"] = args[++i];
    } else if (arg.starts_with("--")) {
      size_t equals = arg.find('=');
      if (equals != std::string::npos) {
        request.options[arg.substr(0, equals)] = arg.substr(equals + 1);
      } else if (i + 1 < args.size()) {
        request.options[arg] = args[++i];
      } else {
        throw UsageError(arg + " needs a value");
      }
    } else {
      request.positional.push_back(arg);
    }
  }
  return request;
}

std::string required(const Request& request, const std::string& option) {
  auto found = request.options.find(option);
  if (found == request.options.end() || found->second.empty()) {
    throw UsageError("silence " + request.verb + " needs " + option);
  }
  return found->second;
}

void expect_options(const Request& request, std::initializer_list<std::string> allowed) {
  for (const auto& [option, value] : request.options) {
    if (std::find(allowed.begin(), allowed.end(), option) == allowed.end()) {
      throw UsageError("unknown option to silence " + request.verb + ": '" + option + "'");
    }
  }
}

// Only agent.state_dir: the command must work where the probes' secrets are not set.
std::string state_dir_of(const std::string& config_path) {
  ConfigNode root = ConfigNode::load_file(config_path);
  std::string state_dir = AgentSettings{}.state_dir;
  if (auto agent = root.optional_child("agent"))
    state_dir = agent->string_or("state_dir", state_dir);
  return state_dir;
}

Matcher matcher_of(const std::string& text) {
  Matcher matcher;
  try {
    matcher = parse_matcher(text);
  } catch (const MatcherError& e) {
    throw UsageError(std::string("--match: ") + e.what());
  }
  // A typo in a hop silences nothing, and the page it was meant to stop still comes.
  if (auto hop = label_value(matcher.pairs, "hop"); hop && !hop_named(*hop)) {
    std::string hops;
    for (Hop known : kHops) hops += std::string(hops.empty() ? "" : ", ") + to_string(known);
    throw UsageError("--match: unknown hop '" + *hop + "'; hops are " + hops);
  }
  return matcher;
}

int add(const Request& request, const std::string& path) {
  expect_options(request, {"--config", "--match", "--duration", "--comment"});
  if (!request.positional.empty()) throw UsageError("silence add takes no ID");
  Matcher matcher = matcher_of(required(request, "--match"));
  std::string duration_text = required(request, "--duration");
  auto duration = parse_duration(duration_text);
  if (!duration || *duration <= Millis(0)) {
    throw UsageError("--duration: '" + duration_text + "' is not a duration such as 30m or 2h");
  }
  std::string comment = required(request, "--comment");
  TimePoint now = std::chrono::system_clock::now();
  Silence silence{new_silence_id(), matcher, now, now + *duration, comment, now};
  SilenceFileLock lock(path);
  std::vector<Silence> silences = read_silences(path);
  silences.push_back(silence);
  write_silences(path, silences, now);
  std::cout << silence.id << "\n";
  std::cerr << "cdcwatch: silenced " << matcher.text() << " until "
            << format_timestamp(silence.ends_at) << "\n";
  return kExitOk;
}

const char* state_of(const Silence& silence, TimePoint now) {
  if (silence.active_at(now)) return "active";
  return now < silence.starts_at ? "pending" : "expired";
}

int list(const Request& request, const std::string& path) {
  expect_options(request, {"--config"});
  if (!request.positional.empty()) throw UsageError("silence list takes no ID");
  TimePoint now = std::chrono::system_clock::now();
  std::cout << "ID                STATE    ENDS                      MATCH  COMMENT\n";
  for (const auto& silence : read_silences(path)) {
    std::cout << silence.id << "  " << state_of(silence, now)
              << std::string(9 - std::string(state_of(silence, now)).size(), ' ')
              << format_timestamp(silence.ends_at) << "  " << silence.matcher.text() << "  "
              << silence.comment << "\n";
  }
  return kExitOk;
}

int expire(const Request& request, const std::string& path) {
  expect_options(request, {"--config"});
  if (request.positional.size() != 1) throw UsageError("silence expire takes exactly one ID");
  const std::string& id = request.positional[0];
  TimePoint now = std::chrono::system_clock::now();
  SilenceFileLock lock(path);
  std::vector<Silence> silences = read_silences(path);
  auto found = std::find_if(silences.begin(), silences.end(),
                            [&](const Silence& silence) { return silence.id == id; });
  if (found == silences.end()) {
    std::cerr << "cdcwatch: no silence with id '" << id
              << "'; `cdcwatch silence list --config FILE` shows them\n";
    return kExitUsage;
  }
  if (found->ends_at <= now) {
    std::cerr << "cdcwatch: silence " << id << " already ended at "
              << format_timestamp(found->ends_at) << "\n";
    return kExitOk;
  }
  found->ends_at = std::max(now, found->starts_at);
  write_silences(path, silences, now);
  std::cerr << "cdcwatch: silence " << id << " expired; alerts it covered page again if firing\n";
  return kExitOk;
}

}  // namespace

int silence_command(const std::vector<std::string>& args) {
  Request request;
  std::string path;
  try {
    request = parse_request(args);
    if (request.verb != "add" && request.verb != "list" && request.verb != "expire") {
      throw UsageError("unknown silence command '" + request.verb + "'");
    }
    std::string config_path = required(request, "--config");
    path = silence_file_path(state_dir_of(config_path));
  } catch (const UsageError& e) {
    std::cerr << "cdcwatch: " << e.what() << "\n\n" << kSilenceUsage;
    return kExitUsage;
  } catch (const ConfigError& e) {
    std::cerr << "cdcwatch: invalid config: " << e.what() << "\n";
    return kExitConfigInvalid;
  }
  try {
    if (request.verb == "add") return add(request, path);
    if (request.verb == "list") return list(request, path);
    return expire(request, path);
  } catch (const UsageError& e) {
    std::cerr << "cdcwatch: " << e.what() << "\n\n" << kSilenceUsage;
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "cdcwatch: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace cdcwatch
