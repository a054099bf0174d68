#include "libs/grpc/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <string>

#include "absl/time/clock.h"
#include "libs/grpc/tls.h"
#include "libs/grpc/trace.h"

namespace crm {
namespace {

int Millis(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

std::shared_ptr<grpc::Channel> ServiceChannel(std::string_view target,
                                              const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(options.keepalive_time));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(options.keepalive_timeout));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, Millis(options.max_reconnect_backoff));
  // With a single address round_robin is the same as pick_first.
  args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  return grpc::CreateCustomChannel(std::string(target), DefaultChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> ClientCall(
    absl::Duration timeout, absl::Time deadline,
    std::shared_ptr<grpc::CallCredentials> credentials) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  absl::Time until = std::min(absl::Now() + timeout, deadline);
  ctx->set_deadline(absl::ToChronoTime(until));
  if (credentials) ctx->set_credentials(std::move(credentials));
  PropagateTrace(*ctx);
  return ctx;
}

}  // namespace crm
