// The suite as real processes for cross-service tests: crm-auth and crm-customers, each on
// its own throw-away schema of the test MariaDB, and crm-gateway routing to both, all on
// free loopback ports. Tests sign in like any client and call over gRPC. Every service of
// the suite has a service account with a random secret, so tests can act as a service.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/db/db.h"
#include "libs/db/testing.h"
#include "tests/support/process.h"
#include <grpcpp/grpcpp.h>

namespace crm::testing {

// A server process and the gRPC port it reported.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::string target() const { return "127.0.0.1:" + std::to_string(port); }
};

// Starts `binary` with --port=0 --metrics_port=0 and a port file in `dir`, log in
// dir/<name>.log, and waits for its ports.
absl::StatusOr<ServerProcess> StartServer(const std::string& binary, const std::string& name,
                                          const TempDir& dir, std::vector<std::string> args);

// --db_* flags for `db`.
std::vector<std::string> DbFlags(const db::PoolOptions& db);

struct StackOptions {
  std::vector<std::string> auth_flags;       // added to crm-auth's command line
  std::vector<std::string> customers_flags;  // added to crm-customers'
  std::vector<std::string> gateway_flags;    // added to crm-gateway's
  // Where customers keeps its data; empty means a fresh TestDatabase schema.
  std::optional<db::PoolOptions> customers_db;
};

// A signed-in user, for calls.
struct Session {
  auth::v1::User user;
  std::string access_token;
  std::string refresh_token;
  // A context with a 10 s deadline and "authorization: Bearer <access_token>".
  std::unique_ptr<grpc::ClientContext> Context() const;
};

// A context with a 10 s deadline and, unless empty, the given bearer token.
std::unique_ptr<grpc::ClientContext> ContextWithToken(const std::string& token);

class Stack final {
 public:
  // Paths come from CRM_AUTH_BIN, CRM_CUSTOMERS_BIN and CRM_GATEWAY_BIN compile definitions
  // of the test binary (passed in here by the caller).
  struct Binaries {
    std::string auth, customers, gateway;
  };
  static absl::StatusOr<std::unique_ptr<Stack>> Start(const Binaries& binaries,
                                                      StackOptions options = {});
  ~Stack();

  std::shared_ptr<grpc::Channel> gateway() const { return gateway_channel_; }
  std::shared_ptr<grpc::Channel> auth() const { return auth_channel_; }
  std::shared_ptr<grpc::Channel> customers() const { return customers_channel_; }
  ServerProcess& auth_process() { return auth_; }
  ServerProcess& customers_process() { return customers_; }
  ServerProcess& gateway_process() { return gateway_; }
  db::PoolOptions auth_db() const { return auth_db_->options(); }
  const db::PoolOptions& customers_db() const { return customers_db_options_; }
  const std::string& admin_password() const { return admin_password_; }
  const std::string& signing_key_passphrase() const { return signing_key_passphrase_; }
  // The secret of services/{name}, for every service of the suite, and the
  // --service_accounts crm-auth was started with (a test's auth_flags may override it).
  const std::string& service_secret(const std::string& name) const {
    return service_secrets_.at(name);
  }
  const std::string& service_accounts_flag() const { return service_accounts_flag_; }

  // Signs in through the gateway.
  absl::StatusOr<Session> Login(const std::string& username, const std::string& password);
  absl::StatusOr<Session> LoginAdmin() { return Login("admin", admin_password_); }
  // A token of services/{name} from IssueServiceToken, asked of crm-auth directly (as a
  // service does).
  absl::StatusOr<std::string> ServiceToken(const std::string& name);
  // As the admin: creates a team (manager set later with SetManager) / a user, through the
  // gateway. Every test user's password is kTestPassword.
  absl::StatusOr<auth::v1::Team> CreateTeam(const std::string& display_name);
  absl::Status SetManager(const auth::v1::Team& team, const auth::v1::User& manager);
  absl::StatusOr<auth::v1::User> CreateUser(const std::string& username, auth::v1::Role role,
                                            const std::string& team = "");
  static constexpr char kTestPassword[] = "correct horse battery staple";

  // The last lines of every process's log, for failure messages.
  std::string Logs() const;

 private:
  Stack() = default;
  absl::StatusOr<std::string> AdminToken();

  TempDir dir_;
  std::unique_ptr<db::testing::TestDatabase> auth_db_;
  std::unique_ptr<db::testing::TestDatabase> customers_db_;
  db::PoolOptions customers_db_options_;
  std::string admin_password_;
  std::string signing_key_passphrase_;
  std::string admin_token_;
  std::map<std::string, std::string> service_secrets_;
  std::string service_accounts_flag_;
  ServerProcess auth_, customers_, gateway_;
  std::shared_ptr<grpc::Channel> gateway_channel_, auth_channel_, customers_channel_;
};

}  // namespace crm::testing
