#include "libs/service/testing.h"

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"

namespace crm::service::testing {

absl::StatusOr<std::unique_ptr<TestKit>> TestKit::Create(std::string_view name,
                                                         const std::string& schema_dir,
                                                         int pool_size) {
  absl::StatusOr<db::testing::MigratedDatabase> database =
      db::testing::CreateMigrated(schema_dir, pool_size);
  if (!database.ok()) return database.status();
  return std::unique_ptr<TestKit>(new TestKit(name, std::move(*database)));
}

TestKit::TestKit(std::string_view name, db::testing::MigratedDatabase database)
    : name_(name),
      database_(std::move(database)),
      rpc_(authorizer_, executor_, std::string(name) + ".crm"),
      metrics_(std::make_unique<prometheus::Registry>()) {
  kit_ = std::make_unique<Kit>(Kit{.name = name_,
                                   .pool = *database_.pool,
                                   .executor = executor_,
                                   .rpc = rpc_,
                                   .authorizer = authorizer_,
                                   .access = access_,
                                   .users = users_,
                                   .page_tokens = page_tokens_,
                                   .clock = clock_,
                                   .metrics = *metrics_,
                                   .auth_target = auth_target_,
                                   .peers = peers_});
}

TestKit::~TestKit() {
  if (server_) server_->Shutdown();
}

std::shared_ptr<grpc::Channel> TestKit::ServeOnLoopback(
    std::initializer_list<grpc::Service*> services) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (!server_) return nullptr;
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

}  // namespace crm::service::testing
