#include "tests/support/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace crm::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int upstream_port) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr = Loopback(0);
  socklen_t length = sizeof(addr);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 16) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(listener);
    return absl::InternalError(absl::StrCat("proxy listener: ", error));
  }
  return std::unique_ptr<TcpProxy>(new TcpProxy(listener, ntohs(addr.sin_port), upstream_port));
}

TcpProxy::TcpProxy(int listener, int port, int upstream_port)
    : listener_(listener), port_(port), upstream_port_(upstream_port) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  std::vector<std::thread> pumps;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // shutdown() wakes the threads blocked in accept() and recv() on these sockets.
    shutdown(listener_, SHUT_RDWR);
    for (int fd : sockets_) shutdown(fd, SHUT_RDWR);
  }
  acceptor_.join();
  {
    absl::MutexLock lock(&mu_);
    pumps.swap(pumps_);
  }
  for (std::thread& pump : pumps) pump.join();
  close(listener_);
  absl::MutexLock lock(&mu_);
  for (int fd : sockets_) close(fd);
}

bool TcpProxy::AnswersMayPass() const { return !held_ || stopping_; }

void TcpProxy::HoldAnswers() {
  absl::MutexLock lock(&mu_);
  held_ = true;
}

void TcpProxy::ReleaseAnswers() {
  absl::MutexLock lock(&mu_);
  held_ = false;
}

void TcpProxy::AcceptLoop() {
  while (true) {
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in upstream = Loopback(upstream_port_);
    if (server < 0 ||
        connect(server, reinterpret_cast<sockaddr*>(&upstream), sizeof(upstream)) != 0) {
      if (server >= 0) close(server);
      close(client);  // as if the server were down
      continue;
    }
    absl::MutexLock lock(&mu_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    if (stopping_) {
      shutdown(client, SHUT_RDWR);
      shutdown(server, SHUT_RDWR);
    }
    pumps_.emplace_back([this, client, server] { Pump(client, server, /*answers=*/false); });
    pumps_.emplace_back([this, client, server] { Pump(server, client, /*answers=*/true); });
  }
}

void TcpProxy::Pump(int from, int to, bool answers) {
  char buffer[16384];
  while (true) {
    const ssize_t n = recv(from, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (answers) {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &TcpProxy::AnswersMayPass));
      if (stopping_) break;
    }
    if (!WriteAll(to, buffer, static_cast<size_t>(n))) break;
  }
  // One side is gone: so is the other, as a relay's peers would see it.
  shutdown(from, SHUT_RDWR);
  shutdown(to, SHUT_RDWR);
}

}  // namespace crm::testing
