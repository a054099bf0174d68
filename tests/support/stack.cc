#include "tests/support/stack.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/base/hash.h"
#include "libs/grpc/status.h"

namespace crm::testing {
namespace {

std::string RandomHex(int bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xFF;
    out += kHex[v >> 4];
    out += kHex[v & 0xF];
  }
  return out;
}

std::shared_ptr<grpc::Channel> ChannelTo(const ServerProcess& server) {
  return grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
}

}  // namespace

absl::StatusOr<ServerProcess> StartServer(const std::string& binary, const std::string& name,
                                          const TempDir& dir, std::vector<std::string> args) {
  const std::string port_file = dir.path() + "/" + name + ".port";
  std::remove(port_file.c_str());
  args.insert(args.begin(), {"--port=0", "--metrics_port=0", "--port_file=" + port_file});
  auto process = ChildProcess::Start(binary, args, dir.path() + "/" + name + ".log");
  if (!process.ok()) return process.status();
  auto ports = (*process)->WaitForPorts(port_file);
  if (!ports.ok()) {
    return absl::Status(ports.status().code(),
                        absl::StrCat(name, ": ", ports.status().message(), "\n",
                                     (*process)->LogTail()));
  }
  return ServerProcess{std::move(*process), ports->first};
}

std::vector<std::string> DbFlags(const db::PoolOptions& db) {
  std::vector<std::string> flags = {"--db_user=" + db.user, "--db_password=" + db.password,
                                    "--db_name=" + db.schema, "--db_pool_size=8"};
  if (!db.unix_socket.empty()) {
    flags.push_back("--db_socket=" + db.unix_socket);
  } else {
    flags.push_back("--db_host=" + db.host);
    flags.push_back("--db_port=" + std::to_string(db.port));
  }
  return flags;
}

std::unique_ptr<grpc::ClientContext> ContextWithToken(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Session::Context() const {
  return ContextWithToken(access_token);
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(const Binaries& binaries,
                                                    StackOptions options) {
  std::unique_ptr<Stack> stack(new Stack());
  auto auth_db = db::testing::TestDatabase::Create();
  if (!auth_db.ok()) return auth_db.status();
  stack->auth_db_ = std::move(*auth_db);
  if (options.customers_db) {
    stack->customers_db_options_ = *options.customers_db;
  } else {
    auto customers_db = db::testing::TestDatabase::Create();
    if (!customers_db.ok()) return customers_db.status();
    stack->customers_db_ = std::move(*customers_db);
    stack->customers_db_options_ = stack->customers_db_->options();
  }
  stack->admin_password_ = "admin-" + RandomHex(12);
  stack->signing_key_passphrase_ = "e2e-" + RandomHex(16);
  for (std::string_view name : auth::kServiceNames) {
    const std::string secret = RandomHex(32);
    stack->service_secrets_[std::string(name)] = secret;
    absl::StrAppend(&stack->service_accounts_flag_,
                    stack->service_accounts_flag_.empty() ? "" : ",", std::string(name), "=",
                    Sha256Hex(secret));
  }

  std::vector<std::string> auth_args = DbFlags(stack->auth_db_->options());
  auth_args.insert(auth_args.end(),
                   {"--signing_key_passphrase=" + stack->signing_key_passphrase_,
                    "--admin_password=" + stack->admin_password_,
                    "--page_token_secret=e2e-auth-pages", "--workers=8",
                    "--service_accounts=" + stack->service_accounts_flag_});
  auth_args.insert(auth_args.end(), options.auth_flags.begin(), options.auth_flags.end());
  auto auth = StartServer(binaries.auth, "auth", stack->dir_, auth_args);
  if (!auth.ok()) return auth.status();
  stack->auth_ = std::move(*auth);
  const std::string auth_target = "--auth_target=" + stack->auth_.target();

  std::vector<std::string> customers_args = DbFlags(stack->customers_db_options_);
  customers_args.insert(customers_args.end(),
                        {auth_target, "--revocation_poll_ms=200", "--team_members_ttl_ms=0",
                         "--page_token_secret=e2e-customers-pages", "--workers=16",
                         "--db_pool_size=16", "--drain_seconds=30"});
  customers_args.insert(customers_args.end(), options.customers_flags.begin(),
                        options.customers_flags.end());
  auto customers = StartServer(binaries.customers, "customers", stack->dir_, customers_args);
  if (!customers.ok()) return customers.status();
  stack->customers_ = std::move(*customers);

  // No rate limit unless a test asks for one (later flags win), whatever the environment
  // of the developer who runs the tests says (CRM_RATE_LIMIT_PER_USER).
  std::vector<std::string> gateway_args = {
      "--rate_limit_per_user=0", auth_target, "--revocation_poll_ms=200",
      absl::StrCat("--routes=crm.auth.v1=", stack->auth_.target(),
                   ",crm.customers.v1=", stack->customers_.target())};
  gateway_args.insert(gateway_args.end(), options.gateway_flags.begin(),
                      options.gateway_flags.end());
  auto gateway = StartServer(binaries.gateway, "gateway", stack->dir_, gateway_args);
  if (!gateway.ok()) return gateway.status();
  stack->gateway_ = std::move(*gateway);

  stack->gateway_channel_ = ChannelTo(stack->gateway_);
  stack->auth_channel_ = ChannelTo(stack->auth_);
  stack->customers_channel_ = ChannelTo(stack->customers_);
  return stack;
}

Stack::~Stack() = default;

absl::StatusOr<Session> Stack::Login(const std::string& username, const std::string& password) {
  auto stub = auth::v1::AuthService::NewStub(gateway_channel_);
  auth::v1::LoginRequest request;
  request.set_username(username);
  request.set_password(password);
  auth::v1::LoginResponse response;
  auto ctx = ContextWithToken("");
  if (grpc::Status st = stub->Login(ctx.get(), request, &response); !st.ok()) {
    return FromGrpcStatus(st);
  }
  return Session{response.user(), response.access_token(), response.refresh_token()};
}

absl::StatusOr<std::string> Stack::ServiceToken(const std::string& name) {
  auto stub = auth::v1::AuthService::NewStub(auth_channel_);
  auth::v1::IssueServiceTokenRequest request;
  request.set_service(auth::ServicePrincipal(name));
  request.set_secret(service_secrets_.at(name));
  auth::v1::ServiceToken response;
  auto ctx = ContextWithToken("");
  if (grpc::Status st = stub->IssueServiceToken(ctx.get(), request, &response); !st.ok()) {
    return FromGrpcStatus(st);
  }
  return response.access_token();
}

absl::StatusOr<std::string> Stack::AdminToken() {
  if (admin_token_.empty()) {
    auto admin = LoginAdmin();
    if (!admin.ok()) return admin.status();
    admin_token_ = admin->access_token;
  }
  return admin_token_;
}

absl::StatusOr<auth::v1::Team> Stack::CreateTeam(const std::string& display_name) {
  auto token = AdminToken();
  if (!token.ok()) return token.status();
  auto stub = auth::v1::AuthService::NewStub(gateway_channel_);
  auth::v1::CreateTeamRequest request;
  request.mutable_team()->set_display_name(display_name);
  auth::v1::Team team;
  if (grpc::Status st = stub->CreateTeam(ContextWithToken(*token).get(), request, &team);
      !st.ok()) {
    return FromGrpcStatus(st);
  }
  return team;
}

absl::Status Stack::SetManager(const auth::v1::Team& team, const auth::v1::User& manager) {
  auto token = AdminToken();
  if (!token.ok()) return token.status();
  auto stub = auth::v1::AuthService::NewStub(gateway_channel_);
  auth::v1::UpdateTeamRequest request;
  request.mutable_team()->set_name(team.name());
  request.mutable_team()->set_manager(manager.name());
  request.mutable_update_mask()->add_paths("manager");
  auth::v1::Team updated;
  return FromGrpcStatus(stub->UpdateTeam(ContextWithToken(*token).get(), request, &updated));
}

absl::StatusOr<auth::v1::User> Stack::CreateUser(const std::string& username,
                                                 auth::v1::Role role, const std::string& team) {
  auto token = AdminToken();
  if (!token.ok()) return token.status();
  auto stub = auth::v1::AuthService::NewStub(gateway_channel_);
  auth::v1::CreateUserRequest request;
  request.mutable_user()->set_username(username);
  request.mutable_user()->set_display_name(username);
  request.mutable_user()->set_role(role);
  request.mutable_user()->set_team(team);
  request.set_password(kTestPassword);
  auth::v1::User user;
  if (grpc::Status st = stub->CreateUser(ContextWithToken(*token).get(), request, &user);
      !st.ok()) {
    return FromGrpcStatus(st);
  }
  return user;
}

std::string Stack::Logs() const {
  std::string out;
  for (const auto* server : {&auth_, &customers_, &gateway_}) {
    if (server->process) {
      absl::StrAppend(&out, "--- pid ", server->process->pid(), "\n", server->process->LogTail(),
                      "\n");
    }
  }
  return out;
}

}  // namespace crm::testing
