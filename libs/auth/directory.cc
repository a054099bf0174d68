// UserDirectory over gRPC: AuthService/GetUser with the caller's own token, so the auth
// service's visibility rules apply to the lookup as they would to the caller.
#include "libs/auth/directory.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <string>
#include <utility>

#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

constexpr auto kAuthCallTimeout = std::chrono::seconds(2);

class AuthServiceDirectoryImpl final : public UserDirectory {
 public:
  explicit AuthServiceDirectoryImpl(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::AuthService::NewStub(std::move(channel))) {}

  absl::StatusOr<v1::User> GetUser(std::string_view name, std::string_view authorization) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kAuthCallTimeout);
    if (!authorization.empty()) ctx.AddMetadata("authorization", std::string(authorization));
    v1::GetUserRequest request;
    request.set_name(std::string(name));
    v1::User user;
    grpc::Status status = stub_->GetUser(&ctx, request, &user);
    if (!status.ok()) return FromGrpcStatus(status);
    return user;
  }

 private:
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

}  // namespace

std::unique_ptr<UserDirectory> AuthServiceDirectory(std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<AuthServiceDirectoryImpl>(std::move(channel));
}

}  // namespace crm::auth
