#include "tests/support/kafka_group_shim.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/kafka_wire.h"

namespace cdcwatch::testing {
namespace {

using namespace kafka_shim;

bool read_exact(int fd, char* out, size_t n) {
  while (n > 0) {
    ssize_t got = recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool write_all(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// One size-prefixed message (https://kafka.apache.org/protocol#protocol_common); false on EOF.
bool read_frame(int fd, std::string& out) {
  char size[4];
  if (!read_exact(fd, size, 4)) return false;
  int32_t length = kafka_wire::Reader(std::string_view(size, 4)).int32();
  if (length < 0 || length > 100 * 1024 * 1024) return false;
  out.resize(static_cast<size_t>(length));
  return read_exact(fd, out.data(), out.size());
}

int connect_to(const std::string& host, int32_t port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  return fd;
}

int listen_on_loopback(int32_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 64) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("kafka group shim: cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

KafkaGroupShim::KafkaGroupShim(const std::string& upstream_bootstrap) {
  size_t start = 0;
  while (start < upstream_bootstrap.size()) {
    size_t end = upstream_bootstrap.find(',', start);
    if (end == std::string::npos) end = upstream_bootstrap.size();
    std::string broker = upstream_bootstrap.substr(start, end - start);
    size_t colon = broker.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("kafka group shim: " + broker);
    Listener& listener = listeners_.emplace_back();
    listener.upstream_host = broker.substr(0, colon);
    listener.upstream_port = std::stoi(broker.substr(colon + 1));
    listener.fd = listen_on_loopback(listener.port);
    ports_[listener.upstream_port] = listener.port;
    bootstrap_ +=
        (bootstrap_.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(listener.port);
    start = end + 1;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    listeners_[i].thread = std::thread([this, i] { accept_loop(i); });
  }
}

KafkaGroupShim::~KafkaGroupShim() {
  stopping_ = true;
  for (auto& listener : listeners_) listener.thread.join();  // no connection is accepted after
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  wake_.notify_all();
  for (auto& connection : connections_) connection.join();
  for (auto& listener : listeners_) close(listener.fd);
}

void KafkaGroupShim::register_group(const std::string& group, const std::string& protocol_type,
                                    std::map<std::string, std::vector<int32_t>> assignment) {
  std::lock_guard lock(mutex_);
  groups_[group].answer = {protocol_type, std::move(assignment)};
}

std::set<std::string> KafkaGroupShim::groups() const {
  std::lock_guard lock(mutex_);
  std::set<std::string> out;
  for (const auto& [name, group] : groups_) out.insert(name);
  return out;
}

void KafkaGroupShim::set_down(bool down) {
  down_ = down;
  if (down) {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  wake_.notify_all();
}

void KafkaGroupShim::set_group_answer_delay(std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mutex_);
    delay_ = delay;
  }
  wake_.notify_all();
}

void KafkaGroupShim::track(int fd, bool open) {
  std::lock_guard lock(mutex_);
  if (open) {
    open_fds_.insert(fd);
  } else {
    open_fds_.erase(fd);
  }
}

void KafkaGroupShim::accept_loop(size_t listener) {
  pollfd ready{listeners_[listener].fd, POLLIN, 0};
  while (!stopping_) {
    if (poll(&ready, 1, 50) <= 0) continue;
    int client = accept(listeners_[listener].fd, nullptr, nullptr);
    if (client < 0) continue;
    if (down_) {
      close(client);
      continue;
    }
    std::lock_guard lock(mutex_);
    open_fds_.insert(client);
    connections_.emplace_back([this, listener, client] { serve(listener, client); });
  }
}

void KafkaGroupShim::serve(size_t listener, int client) {
  int upstream = connect_to(listeners_[listener].upstream_host, listeners_[listener].upstream_port);
  if (upstream >= 0) {
    track(upstream, true);
    try {
      while (!stopping_ && !down_ && relay_one(listener, client, upstream)) {
      }
    } catch (const std::exception&) {
      // A message the shim cannot parse closes the connection, as a broker would.
    }
    track(upstream, false);
    close(upstream);
  }
  track(client, false);
  close(client);
}

bool KafkaGroupShim::relay_one(size_t listener, int client, int upstream) {
  std::string request;
  if (!read_frame(client, request)) return false;
  RequestHeader header = parse_request_header(request);
  if (header.api_key == api::kListGroups || header.api_key == api::kDescribeGroups) {
    std::string response = answer_group_request(listener, request, header);
    return !response.empty() && write_all(client, kafka_wire::Writer().append(response).framed());
  }
  note_group(listener, request, header);
  bool answered = true;
  std::string response = forward(upstream, request, header, answered);
  if (!answered) return !response.empty();
  return write_all(client, kafka_wire::Writer().append(response).framed());
}

// Empty when the shim went down or is stopping while the answer was held back.
std::string KafkaGroupShim::answer_group_request(size_t listener, const std::string& request,
                                                 const RequestHeader& header) {
  std::unique_lock lock(mutex_);
  auto asked = std::chrono::steady_clock::now();
  // delay_ is read on every wake, so shortening it releases the answers held back.
  while (!stopping_ && !down_ && std::chrono::steady_clock::now() < asked + delay_) {
    wake_.wait_until(lock, asked + delay_);
  }
  if (stopping_ || down_) return "";
  if (header.api_key == api::kDescribeGroups) {
    std::map<std::string, ShimGroup> all;
    for (const auto& [name, group] : groups_) all[name] = group.answer;
    return describe_groups_response(request, header, all);
  }
  std::map<std::string, ShimGroup> coordinated;
  for (const auto& [name, group] : groups_) {
    if (group.coordinator == listener) coordinated[name] = group.answer;
  }
  return list_groups_response(header, coordinated);
}

// The mock broker's answer, rewritten where it names brokers or lists APIs. `answered` is false
// for a request that gets no answer (Produce with acks=0: then the result is "ok" or "").
std::string KafkaGroupShim::forward(int upstream, const std::string& request,
                                    const RequestHeader& header, bool& answered) {
  if (!write_all(upstream, kafka_wire::Writer().append(request).framed())) {
    answered = false;
    return "";
  }
  if (header.api_key == api::kProduce && produce_without_acks(request, header)) {
    answered = false;
    return "ok";
  }
  std::string response;
  if (!read_frame(upstream, response)) {
    answered = false;
    return "";
  }
  switch (header.api_key) {
    case api::kApiVersions:
      return rewrite_api_versions(response, header.api_version);
    case api::kMetadata:
      return rewrite_metadata(response, header.api_version, ports_);
    case api::kFindCoordinator:
      return rewrite_find_coordinator(response, header.api_version, ports_);
    default:
      return response;
  }
}

void KafkaGroupShim::note_group(size_t listener, const std::string& request,
                                const RequestHeader& header) {
  if (header.api_key != api::kOffsetCommit && header.api_key != api::kJoinGroup) return;
  std::string name = requested_group(request, header);
  std::lock_guard lock(mutex_);
  auto [group, created] = groups_.try_emplace(name);
  if (created) group->second.coordinator = listener;
  if (header.api_key == api::kJoinGroup) {
    group->second.answer.protocol_type = join_protocol_type(request, header);
  }
}

}  // namespace cdcwatch::testing
