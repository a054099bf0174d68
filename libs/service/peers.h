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

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
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

}  // namespace crm::service
