#include "libs/service/peers.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/grpc/channel.h"
#include "libs/log/log.h"
#include "libs/service/listed_services.h"

namespace crm::service {

Peers::Peers(config::Flags& flags, std::string_view self, std::string auth_target) {
  // Auth is everyone's, itself included (it reads its own user directory the same way).
  targets_.emplace("auth", std::move(auth_target));
  for (const ListedService& peer : kListedServices) {
    if (peer.name == self || peer.name == "auth") continue;
    const std::string name(peer.name);
    targets_.emplace(
        name, flags.String(absl::StrCat(name, "_target"), absl::StrCat("127.0.0.1:", peer.port),
                           absl::StrCat("the ", name, " service's address")));
  }
}

const std::string& Peers::Target(std::string_view name) const {
  static const std::string* const kNone = new std::string();
  auto it = targets_.find(name);
  return it == targets_.end() ? *kNone : it->second;
}

std::shared_ptr<grpc::Channel> Peers::Channel(std::string_view name) const {
  absl::MutexLock lock(&mu_);
  if (auto it = channels_.find(name); it != channels_.end()) return it->second;
  const std::string& target = Target(name);
  if (target.empty()) {
    log::Error("no such peer service", {{"name", std::string(name)}});
    std::abort();
  }
  std::shared_ptr<grpc::Channel> channel = ServiceChannel(target);
  channels_.emplace(std::string(name), channel);
  return channel;
}

std::unique_ptr<grpc::ClientContext> CallFor(const auth::Caller& caller, absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> ctx = ClientCall(timeout, caller.deadline);
  if (!caller.authorization.empty()) ctx->AddMetadata("authorization", caller.authorization);
  if (!caller.request_id.empty()) ctx->AddMetadata("x-request-id", caller.request_id);
  return ctx;
}

}  // namespace crm::service
