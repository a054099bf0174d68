// One fixture for a service's store and handler tests: a throw-away schema with the service's
// migrations applied (on the test MariaDB that ./tools/dev test starts), and a Kit made of the
// real parts except where a test needs control — users held in memory, a clock that moves
// only when told to, and a token signer the kit's verifier trusts.
//
//   auto test = crm::service::testing::TestKit::Create("customers", CRM_CUSTOMERS_SCHEMA_DIR);
//   ASSERT_TRUE(test.ok()) << test.status();
//   CustomerStore store((*test)->kit().pool, (*test)->kit().clock);
//   CustomerService service((*test)->kit(), store, {});
//   (*test)->users().Add(11, auth::v1::SALES_REP, "teams/1");
#pragma once

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/auth/testing.h"
#include "libs/base/clock.h"
#include "libs/db/testing.h"
#include "libs/service/process.h"

namespace crm::service::testing {

class TestKit final {
 public:
  // `name` names the ErrorInfo domain ("<name>.crm"), as in production.
  static absl::StatusOr<std::unique_ptr<TestKit>> Create(std::string_view name,
                                                         const std::string& schema_dir,
                                                         int pool_size = 8);
  ~TestKit();

  Kit& kit() { return *kit_; }
  db::Pool& pool() { return *database_.pool; }
  // How to connect to the throw-away schema, for a test's own client.
  db::PoolOptions database_options() const { return database_.db->options(); }
  auth::testing::FakeUserDirectory& users() { return users_; }
  auth::testing::TestSigner& signer() { return signer_; }
  FakeClock& clock() { return clock_; }
  // Team lists are not cached, so a team change shows at once.
  auth::TeamMembers& teams() { return teams_; }

  // Serves `services` on a loopback port behind nothing but themselves (their RPC edge
  // verifies tokens from signer()); a channel to it. Stopped with the fixture.
  std::shared_ptr<grpc::Channel> ServeOnLoopback(std::initializer_list<grpc::Service*> services);

 private:
  TestKit(std::string_view name, db::testing::MigratedDatabase database);

  std::string name_;
  db::testing::MigratedDatabase database_;
  FakeClock clock_;
  auth::testing::TestSigner signer_;
  auth::Authorizer authorizer_{signer_.verifier()};
  Executor executor_{4};
  api::PageTokenCodec page_tokens_{"test-page-token-secret"};
  auth::testing::FakeUserDirectory users_;
  auth::TeamMembers teams_{users_, absl::ZeroDuration(), clock_};
  records::AccessResolver access_{authorizer_.policy(), teams_, users_};
  Rpc rpc_;
  std::unique_ptr<prometheus::Registry> metrics_;
  std::string auth_target_ = "127.0.0.1:1";  // nothing listens: tests use the fakes
  Peers peers_{std::map<std::string, std::string, std::less<>>{}};
  std::unique_ptr<Kit> kit_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace crm::service::testing
