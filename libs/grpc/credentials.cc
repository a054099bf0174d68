#include "libs/grpc/credentials.h"

#include <utility>

namespace crm {
namespace {

class BearerTokenPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit BearerTokenPlugin(std::function<absl::StatusOr<std::string>()> token)
      : token_(std::move(token)) {}

  // The token source may block (a refresh), so gRPC must not run it on its own threads
  // inline with the call.
  bool IsBlocking() const override { return true; }
  const char* GetType() const override { return "crm.bearer"; }

  grpc::Status GetMetadata(grpc::string_ref /*service_url*/, grpc::string_ref /*method_name*/,
                           const grpc::AuthContext& /*channel_auth_context*/,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    absl::StatusOr<std::string> token = token_();
    if (!token.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "no access token: " + std::string(token.status().message()));
    }
    metadata->emplace("authorization", "Bearer " + *token);
    return grpc::Status::OK;
  }

 private:
  const std::function<absl::StatusOr<std::string>()> token_;
};

}  // namespace

std::shared_ptr<grpc::CallCredentials> BearerTokenCredentials(
    std::function<absl::StatusOr<std::string>()> token) {
  return grpc::experimental::MetadataCredentialsFromPlugin(
      std::make_unique<BearerTokenPlugin>(std::move(token)), GRPC_SECURITY_NONE);
}

std::shared_ptr<grpc::CallCredentials> BearerTokenCredentials(std::string token) {
  return BearerTokenCredentials(
      [token = std::move(token)]() -> absl::StatusOr<std::string> { return token; });
}

}  // namespace crm
