#include "agent/http/server_connection.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "agent/http/sigpipe_guard.h"

namespace cdcwatch {
namespace {

constexpr size_t kReadChunk = 4096;

// Waits for `events` in slices, so a stopping server does not wait out a slow reader.
bool wait_for(int socket, short events, SteadyTime deadline, const std::atomic<bool>& stopping) {
  while (!stopping) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{socket, events, 0};
    int ready = poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count(), 50)));
    if (ready > 0) return (entry.revents & (POLLERR | POLLNVAL)) == 0;
    if (ready < 0 && errno != EINTR) return false;
  }
  return false;
}

}  // namespace

ServerConnection::ServerConnection(int socket, SSL_CTX* tls) : socket_(socket) {
  if (tls) {
    ssl_ = SSL_new(tls);
    if (ssl_) {
      SSL_set_fd(ssl_, socket_);
      SSL_set_accept_state(ssl_);
    }
  }
}

ServerConnection::~ServerConnection() {
  if (ssl_) {
    SigpipeGuard no_sigpipe;
    if (handshake_done_) SSL_shutdown(ssl_);  // best effort: the socket is non-blocking
    SSL_free(ssl_);
  }
  close(socket_);
}

ServerConnection::Io ServerConnection::pump(size_t limit) {
  if (received_.size() >= limit) return Io::kFull;
  return ssl_ ? read_tls(limit) : read_plain(limit);
}

ServerConnection::Io ServerConnection::read_plain(size_t limit) {
  char chunk[kReadChunk];
  while (received_.size() < limit) {
    ssize_t got = recv(socket_, chunk, std::min(sizeof chunk, limit - received_.size()), 0);
    if (got > 0) {
      received_.append(chunk, static_cast<size_t>(got));
    } else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Io::kWantRead;
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      return Io::kClosed;
    }
  }
  return Io::kFull;
}

ServerConnection::Io ServerConnection::read_tls(size_t limit) {
  if (!ssl_) return Io::kClosed;
  if (!handshake_done_) {
    int done = SSL_do_handshake(ssl_);
    if (done != 1) {
      int error = SSL_get_error(ssl_, done);
      ERR_clear_error();
      return error == SSL_ERROR_WANT_READ    ? Io::kWantRead
             : error == SSL_ERROR_WANT_WRITE ? Io::kWantWrite
                                             : Io::kClosed;
    }
    handshake_done_ = true;
  }
  char chunk[kReadChunk];
  while (received_.size() < limit) {
    int got =
        SSL_read(ssl_, chunk, static_cast<int>(std::min(sizeof chunk, limit - received_.size())));
    if (got > 0) {
      received_.append(chunk, static_cast<size_t>(got));
      continue;
    }
    int error = SSL_get_error(ssl_, got);
    ERR_clear_error();
    return error == SSL_ERROR_WANT_READ    ? Io::kWantRead
           : error == SSL_ERROR_WANT_WRITE ? Io::kWantWrite
                                           : Io::kClosed;
  }
  return Io::kFull;
}

bool ServerConnection::write_all(const std::string& bytes, SteadyTime deadline,
                                 const std::atomic<bool>& stopping) {
  SigpipeGuard no_sigpipe;  // SSL_write does not pass MSG_NOSIGNAL
  size_t sent = 0;
  while (sent < bytes.size()) {
    short wait_events = POLLOUT;
    if (ssl_) {
      int wrote = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (wrote > 0) {
        sent += static_cast<size_t>(wrote);
        continue;
      }
      int error = SSL_get_error(ssl_, wrote);
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_READ)
        wait_events = POLLIN;
      else if (error != SSL_ERROR_WANT_WRITE)
        return false;
    } else {
      ssize_t wrote = send(socket_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (wrote > 0) {
        sent += static_cast<size_t>(wrote);
        continue;
      }
      if (wrote < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    }
    if (!wait_for(socket_, wait_events, deadline, stopping)) return false;
  }
  return true;
}

SSL_CTX* make_server_tls(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* tls = SSL_CTX_new(TLS_server_method());
  bool loaded = tls && SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION) == 1 &&
                SSL_CTX_use_certificate_chain_file(tls, cert_file.c_str()) == 1 &&
                SSL_CTX_use_PrivateKey_file(tls, key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
                SSL_CTX_check_private_key(tls) == 1;
  ERR_clear_error();
  if (!loaded) {
    SSL_CTX_free(tls);
    throw std::runtime_error("cannot load TLS certificate " + cert_file + " or key " + key_file +
                             ": check they are PEM files that match each other");
  }
  // Answers are written from the same string, but a retried SSL_write may see it moved.
  SSL_CTX_set_mode(tls, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return tls;
}

}  // namespace cdcwatch
