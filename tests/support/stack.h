// The suite as real processes for cross-service tests: crm-auth, then every other service that
// services/services.list names and this build has, each on its own throw-away schema of the test
// MariaDB, and crm-gateway routing crm.<name>.v1 to each, all on free loopback ports. Tests sign
// in like any client and call over gRPC, or act as one of the suite's services (every service
// has a service account with a random secret); a server is reached by its name in the list:
//
//   absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start();
//   auto through_gateway = CustomerService::NewStub((*stack)->gateway());
//   auto direct = CustomerService::NewStub((*stack)->channel("customers"));
//   (*stack)->process("customers").process->Signal(SIGTERM);
//   (*stack)->Restart("opportunities");  // SIGKILLed and started again where it was
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/db/db.h"
#include "libs/db/testing.h"
#include "tests/support/process.h"

namespace crm::testing {

// A server process and the gRPC and metrics ports it reported.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  int metrics_port = 0;
  std::string target() const { return "127.0.0.1:" + std::to_string(port); }
};

// Starts `binary` with --port=0 --metrics_port=0 and a port file in `dir`, log in
// dir/<name>.log, and waits for its ports.
absl::StatusOr<ServerProcess> StartServer(const std::string& binary, const std::string& name,
                                          const TempDir& dir, std::vector<std::string> args);

// --db_* flags for `db`.
std::vector<std::string> DbFlags(const db::PoolOptions& db);

struct StackOptions {
  // Extra command-line flags by server name ("auth", "customers", ..., "gateway"), after the
  // Stack's own, so they win over them.
  std::map<std::string, std::vector<std::string>> flags;
  // Where a service keeps its data, by name; a service not named gets a fresh TestDatabase
  // schema, dropped with the Stack.
  std::map<std::string, db::PoolOptions> databases;
  // Everything over TLS, as in production with TLS on: a private CA and a certificate per
  // server (tools/dev-certs); the gateway serves TLS to clients, the services require mutual
  // TLS from the gateway and from each other. The Stack's channels speak TLS too: to the
  // gateway as an app does (the CA, no certificate), to a service with a client certificate.
  bool tls = false;
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
  // Fails if auth is not built, if a server does not start (with its log), or if `options`
  // names a server this stack does not run.
  static absl::StatusOr<std::unique_ptr<Stack>> Start(StackOptions options = {});
  // Stops the gateway, then the services in reverse start order, then drops their schemas.
  ~Stack();

  // The services running, in start order (auth first); the gateway is not one of them.
  std::vector<std::string> services() const;

  // By server name: a channel straight to it, its process and port, and (services only) the
  // database it uses. A name the stack does not run aborts the test with a message.
  std::shared_ptr<grpc::Channel> channel(const std::string& name) const;
  ServerProcess& process(const std::string& name);
  const db::PoolOptions& db(const std::string& name) const;
  // Kills service `name` at once if it still runs (SIGKILL: no drain, as a crash) and starts it
  // again on the same port and database, with the flags it first had and then `extra_flags`
  // (which win), waiting until it serves. The gateway, the other services and the Stack's
  // channels reach it as before: a crash and recovery in the middle of a test.
  absl::Status Restart(const std::string& name, std::vector<std::string> extra_flags = {});
  // Starts one more process of service `name` on the same database, with the flags it first
  // had and then `extra_flags`, on ports of its own (the gateway does not route to it): a
  // second replica, for what must happen once however many replicas run (schedulers). It is
  // killed when the returned process goes away.
  absl::StatusOr<ServerProcess> StartReplica(const std::string& name,
                                             std::vector<std::string> extra_flags = {});
  std::shared_ptr<grpc::Channel> gateway() const { return channel("gateway"); }
  // With StackOptions::tls: the directory of ca.pem and every <name>.pem/<name>-key.pem
  // ("client" is a certificate of the CA that no server uses); empty otherwise.
  const std::string& tls_dir() const { return tls_dir_; }

  const std::string& admin_password() const { return admin_password_; }
  const std::string& signing_key_passphrase() const { return signing_key_passphrase_; }
  // The secret of services/{name}, for every service of the suite (auth::kServiceNames,
  // built or not): crm-auth starts with all their accounts, and each service the stack runs
  // gets its secret as --service_secret.
  const std::string& service_secret(const std::string& name) const {
    return service_secrets_.at(name);
  }

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
  struct Server {
    std::string name;
    std::unique_ptr<db::testing::TestDatabase> owned_db;  // unless StackOptions named one
    db::PoolOptions db;                                   // empty for the gateway
    ServerProcess process;
    std::shared_ptr<grpc::Channel> channel;
    std::string binary;              // what it runs, for Restart
    std::vector<std::string> args;   // with what it first started
  };

  Stack() = default;
  static absl::StatusOr<std::unique_ptr<Stack>> StartOnce(const StackOptions& options);
  absl::Status StartService(const std::string& name, const std::string& binary,
                            const StackOptions& options);
  const Server& Find(const std::string& name) const;
  absl::StatusOr<std::string> AdminToken();

  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& name,
                                           const ServerProcess& server) const;
  std::vector<std::string> TlsFlags(const std::string& name) const;

  TempDir dir_;
  std::string tls_dir_;
  std::string admin_password_;
  std::string signing_key_passphrase_;
  std::string admin_token_;
  std::map<std::string, std::string> service_secrets_;
  std::string service_accounts_flag_;
  std::vector<Server> servers_;  // in start order: auth, the other services, the gateway
  int replicas_started_ = 0;      // names the replicas' port files and logs apart
  std::map<std::string, int> ports_;  // every built service's gRPC port, chosen up front
};

}  // namespace crm::testing
