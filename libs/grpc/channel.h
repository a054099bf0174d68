// The one way a process opens a channel to another server of the suite (the gateway to its
// backends, services to each other and to auth): plaintext, or TLS when the process was
// configured for it (--tls_ca, tls.h), round_robin over every address the target
// resolves to (a Kubernetes headless Service lists one per ready pod), keepalive pings that
// notice a vanished peer before the next call, the suite's message size limit, and a
// deadline on every call made through ClientCall.
//
//   auto channel = crm::ServiceChannel("dns:///crm-auth-pods.crm.svc.cluster.local:50062");
//   auto ctx = crm::ClientCall(absl::Seconds(2));
//   stub->GetUser(ctx.get(), request, &user);
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string_view>

#include "absl/time/time.h"

namespace crm {

struct ChannelOptions {
  int max_message_bytes = 4 << 20;  // the servers' limit (libs/grpc/server.h)
  // Servers accept a ping every 10 s (libs/grpc/server.cc); pinging every 30 s even while
  // idle notices a dead peer behind a silent network within about 50 s.
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // How long a broken connection waits at most before reconnecting.
  absl::Duration max_reconnect_backoff = absl::Seconds(5);
};

// Connects lazily: a peer that is not up yet costs nothing until the first call.
std::shared_ptr<grpc::Channel> ServiceChannel(std::string_view target,
                                              const ChannelOptions& options = {});

// A client context whose deadline is `timeout` from now, or `deadline` if that is sooner
// (pass the incoming call's deadline so an outgoing call never outlives the one it serves),
// carrying `credentials` (a service's own identity) when given and the trace of the request
// the calling thread serves (traceparent, trace.h). Credentials travel per call rather than
// per channel so that they also work on the plaintext loopback channels of a local stack.
std::unique_ptr<grpc::ClientContext> ClientCall(
    absl::Duration timeout, absl::Time deadline = absl::InfiniteFuture(),
    std::shared_ptr<grpc::CallCredentials> credentials = nullptr);

}  // namespace crm
