// A TCP relay on loopback between a client and a server whose answers can be held back: the
// server gets every byte at once, the client gets nothing from the server while held. A test
// puts it between two services to crash the client at the one moment that matters for
// crash-safety, after the server acted on a request and before the client learned of it,
// without guessing at timing:
//
//   auto proxy = TcpProxy::Start(stack->process("customers").port);
//   stack->Restart("opportunities", {"--customers_target=127.0.0.1:" + port(proxy)});
//   (*proxy)->HoldAnswers();   // requests pass, answers wait
//   ... the call is made; the test sees its effect at the server, then kills the client.
//
// Answers are held whole chunks at a time as the server wrote them, on every connection. Hold
// only once the client's connection is up (one call through it first): a connection that is
// still being set up would wait for the server's handshake too.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace crm::testing {

class TcpProxy final {
 public:
  // Listens on a free loopback port and relays each connection to 127.0.0.1:`upstream_port`.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int upstream_port);
  // Closes every connection and joins its threads; held answers are dropped.
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // From now on, what the server sends waits; ReleaseAnswers() lets it (and what follows) go.
  void HoldAnswers();
  void ReleaseAnswers();

 private:
  TcpProxy(int listener, int port, int upstream_port);
  void AcceptLoop();
  // Copies `from` to `to` until either closes; `answers`: the server-to-client direction.
  void Pump(int from, int to, bool answers);
  bool AnswersMayPass() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int listener_;
  const int port_;
  const int upstream_port_;
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int> sockets_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> pumps_ ABSL_GUARDED_BY(mu_);
  std::thread acceptor_;
};

}  // namespace crm::testing
