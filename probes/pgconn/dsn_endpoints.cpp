#include "probes/pgconn/dsn_endpoints.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "agent/core/text_split.h"

namespace cdcwatch {
namespace {

std::vector<std::string> listed(const char* value) {
  if (value == nullptr || *value == '\0') return {};
  return split(value, ',');
}

}  // namespace

std::vector<PgEndpoint> dsn_endpoints(const std::string& dsn) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
      PQconninfoParse(dsn.c_str(), &error), PQconninfoFree);
  if (error != nullptr) PQfreemem(error);
  if (!options) return {};
  const char *host = nullptr, *hostaddr = nullptr, *port = nullptr;
  for (PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    std::string keyword = option->keyword;
    if (keyword == "host") host = option->val;
    if (keyword == "hostaddr") hostaddr = option->val;
    if (keyword == "port") port = option->val;
  }
  // libpq pairs the n-th host, hostaddr and port; one port serves every host.
  std::vector<std::string> hosts = listed(host), addresses = listed(hostaddr), ports = listed(port);
  std::vector<PgEndpoint> out;
  size_t count = std::max(hosts.size(), addresses.size());
  for (size_t i = 0; i < count; ++i) {
    std::string each_port = ports.size() == 1 ? ports[0] : i < ports.size() ? ports[i] : "";
    if (each_port.empty()) each_port = "5432";
    if (i < hosts.size() && !hosts[i].empty()) out.push_back({hosts[i], each_port});
    if (i < addresses.size() && !addresses[i].empty()) out.push_back({addresses[i], each_port});
  }
  return out;
}

}  // namespace cdcwatch
