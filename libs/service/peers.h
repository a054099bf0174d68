// Where the other services of the suite are, and one channel to each, for a service that calls
// its peers (opportunities asking customers, orders asking knowledge, …). Every service takes a
// flag per peer, `--<name>_target` (env CRM_<NAME>_TARGET), defaulting to 127.0.0.1 on the
// peer's port from services/services.list; tools/dev, the end-to-end Stack and the Kubernetes
// manifests (dns:///crm-<name>-pods...) set them. The auth service's address is
// --auth_target, read with the other auth client flags.
//
//   auto stub = crm::customers::v1::CustomerService::NewStub(kit.peers.Channel("customers"));
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/auth/caller.h"
#include "libs/config/config.h"

namespace crm::service {

class Peers final {
 public:
  // Reads --<name>_target for every listed service but `self` and auth (whose address is
  // `auth_target`, known to every service including auth itself).
  Peers(config::Flags& flags, std::string_view self, std::string auth_target);
  // Peers at fixed addresses (tests).
  explicit Peers(std::map<std::string, std::string, std::less<>> targets)
      : targets_(std::move(targets)) {}

  // The target of `name` ("customers"); empty for a name that is not a peer.
  const std::string& Target(std::string_view name) const;
  // A channel to `name` (libs/grpc/channel.h ServiceChannel: round_robin, keepalive), made on
  // first use and shared. Aborts for a name that is not a listed service (a programming
  // error: names are constants in code). Thread-safe.
  std::shared_ptr<grpc::Channel> Channel(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> targets_;
  mutable absl::Mutex mu_;
  mutable std::map<std::string, std::shared_ptr<grpc::Channel>, std::less<>> channels_
      ABSL_GUARDED_BY(mu_);
};

// A client context for a call made on `caller`'s behalf: their token, so that the peer applies
// the caller's own rules (a record they may not see is NOT_FOUND there too), their request id,
// and a deadline of `timeout` or theirs if sooner. A call made as the service itself takes
// ClientCall(timeout, deadline, kit.service_credentials) instead (libs/grpc/channel.h).
std::unique_ptr<grpc::ClientContext> CallFor(const auth::Caller& caller, absl::Duration timeout);

}  // namespace crm::service
