#include "tests/support/stack.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/principal.h"
#include "libs/base/hash.h"
#include "libs/grpc/status.h"
#include "libs/grpc/tls.h"
#include "tests/support/built_servers.h"

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

void Append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

std::vector<std::string> FlagsFor(const StackOptions& options, const std::string& name) {
  auto it = options.flags.find(name);
  return it == options.flags.end() ? std::vector<std::string>{} : it->second;
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
  return ServerProcess{std::move(*process), ports->first, ports->second};
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

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(StackOptions options) {
  // The services' ports are chosen before any starts (ports_), so a server of another test
  // running at the same time can take one in between. The server then cannot listen (servers
  // bind without SO_REUSEPORT: libs/grpc/server.cc) and exits; the stack is started again on
  // fresh ports.
  absl::StatusOr<std::unique_ptr<Stack>> stack;
  for (int attempt = 0; attempt < 3; ++attempt) {
    stack = StartOnce(options);
    if (stack.ok() || !absl::StrContains(stack.status().message(), "cannot listen")) break;
  }
  return stack;
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::StartOnce(const StackOptions& options) {
  // A name the stack would not run is a typo, or a service this build lacks.
  auto runs = [](const std::string& name) {
    if (name == "gateway") return true;
    for (const BuiltServer& service : kBuiltServices) {
      if (service.name == name) return true;
    }
    return false;
  };
  for (const auto& [name, flags] : options.flags) {
    if (!runs(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("StackOptions::flags names \"", name, "\", which this build lacks"));
    }
  }
  for (const auto& [name, db] : options.databases) {
    if (!runs(name) || name == "gateway") {
      return absl::InvalidArgumentError(
          absl::StrCat("StackOptions::databases names \"", name, "\", not a service it runs"));
    }
  }

  std::unique_ptr<Stack> stack(new Stack());
  if (options.tls) {
    stack->tls_dir_ = stack->dir_.path() + "/tls";
    std::vector<std::string> names = {"gateway", "client"};
    for (const BuiltServer& service : kBuiltServices) names.push_back(service.name);
    const std::string command = absl::StrCat(CRM_SOURCE_DIR "/tools/dev-certs ", stack->tls_dir_,
                                             " ", absl::StrJoin(names, " "));
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("making certificates failed: ", command));
    }
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

  // Every service's port is chosen before any starts, so each can be told where all its peers
  // are (libs/service/peers.h), whatever order they start in.
  for (const BuiltServer& service : kBuiltServices) {
    stack->ports_[service.name] = UnusedServerPort();
  }

  // Auth first: every other server verifies tokens with it.
  const BuiltServer* auth = nullptr;
  for (const BuiltServer& service : kBuiltServices) {
    if (std::string_view(service.name) == "auth") auth = &service;
  }
  if (auth == nullptr) {
    return absl::FailedPreconditionError("crm-auth is not built; the Stack needs it");
  }
  if (absl::Status st = stack->StartService(auth->name, auth->binary, options); !st.ok()) {
    return st;
  }
  for (const BuiltServer& service : kBuiltServices) {
    if (&service == auth) continue;
    if (absl::Status st = stack->StartService(service.name, service.binary, options); !st.ok()) {
      return st;
    }
  }

  // Every service's proto package routed to it. No rate limit unless a test asks for one
  // (later flags win), whatever the environment of the developer who runs the tests says
  // (CRM_RATE_LIMIT_PER_USER).
  std::vector<std::string> routes;
  for (const Server& service : stack->servers_) {
    routes.push_back(absl::StrCat("crm.", service.name, ".v1=", service.process.target()));
  }
  std::vector<std::string> gateway_args = {
      "--rate_limit_per_user=0", "--auth_target=" + stack->Find("auth").process.target(),
      "--revocation_poll_ms=200", "--routes=" + absl::StrJoin(routes, ",")};
  Append(gateway_args, stack->TlsFlags("gateway"));
  Append(gateway_args, FlagsFor(options, "gateway"));
  auto gateway = StartServer(kGatewayBinary, "gateway", stack->dir_, gateway_args);
  if (!gateway.ok()) return gateway.status();
  Server& server = stack->servers_.emplace_back();
  server.name = "gateway";
  server.process = std::move(*gateway);
  server.channel = stack->ChannelTo("gateway", server.process);
  return stack;
}

absl::Status Stack::StartService(const std::string& name, const std::string& binary,
                                 const StackOptions& options) {
  Server server;
  server.name = name;
  if (auto it = options.databases.find(name); it != options.databases.end()) {
    server.db = it->second;
  } else {
    auto created = db::testing::TestDatabase::Create();
    if (!created.ok()) return created.status();
    server.owned_db = std::move(*created);
    server.db = server.owned_db->options();
  }

  std::vector<std::string> args = DbFlags(server.db);
  args.push_back(absl::StrCat("--port=", ports_.at(name)));
  for (const auto& [peer, port] : ports_) {
    if (peer != name && peer != "auth") {
      args.push_back(absl::StrCat("--", peer, "_target=127.0.0.1:", port));
    }
  }
  if (name == "auth") {
    Append(args, {"--signing_key_passphrase=" + signing_key_passphrase_,
                  "--admin_password=" + admin_password_, "--page_token_secret=e2e-auth-pages",
                  "--workers=8", "--service_accounts=" + service_accounts_flag_});
  } else {
    // The flags every service takes (libs/service's Process): revocations and team changes
    // seen at once, a pool as large as the workers, and a drain longer than any call a test
    // leaves in flight.
    Append(args, {"--auth_target=" + Find("auth").process.target(), "--revocation_poll_ms=200",
                  "--team_members_ttl_ms=0", "--page_token_secret=e2e-" + name + "-pages",
                  "--workers=16", "--db_pool_size=16", "--drain_seconds=30",
                  "--service_secret=" + service_secrets_.at(name)});
  }
  Append(args, TlsFlags(name));
  Append(args, FlagsFor(options, name));

  auto process = StartServer(binary, name, dir_, args);
  if (!process.ok()) return process.status();
  server.process = std::move(*process);
  server.channel = ChannelTo(name, server.process);
  server.binary = binary;
  server.args = std::move(args);
  servers_.push_back(std::move(server));
  return absl::OkStatus();
}

absl::Status Stack::Restart(const std::string& name, std::vector<std::string> extra_flags) {
  Server& server = const_cast<Server&>(Find(name));
  if (name == "gateway") {
    return absl::InvalidArgumentError("Stack::Restart restarts services, not the gateway");
  }
  if (server.process.process->Running()) {
    server.process.process->Signal(SIGKILL);
    if (absl::StatusOr<int> exited = server.process.process->Wait(absl::Seconds(30));
        !exited.ok()) {
      return exited.status();
    }
  }
  // Its fixed --port (chosen up front, which the gateway and its peers know) follows the
  // StartServer's --port=0 and so wins; so do the extra flags over the first ones.
  std::vector<std::string> args = server.args;
  Append(args, extra_flags);
  auto process = StartServer(server.binary, name, dir_, std::move(args));
  if (!process.ok()) return process.status();
  server.process = std::move(*process);
  return absl::OkStatus();
}

absl::StatusOr<ServerProcess> Stack::StartReplica(const std::string& name,
                                                 std::vector<std::string> extra_flags) {
  const Server& server = Find(name);
  if (name == "gateway") {
    return absl::InvalidArgumentError("Stack::StartReplica starts services, not the gateway");
  }
  // Ports of its own: --port=0 after the service's fixed one wins, as the extra flags do.
  std::vector<std::string> args = server.args;
  args.push_back("--port=0");
  Append(args, extra_flags);
  return StartServer(server.binary, absl::StrCat(name, "-replica", ++replicas_started_), dir_,
                     std::move(args));
}

std::vector<std::string> Stack::TlsFlags(const std::string& name) const {
  if (tls_dir_.empty()) return {};
  const std::string cert = tls_dir_ + "/" + name;
  std::vector<std::string> flags = {"--tls_server_cert=" + cert + ".pem",
                                    "--tls_server_key=" + cert + "-key.pem",
                                    "--tls_ca=" + tls_dir_ + "/ca.pem"};
  // Apps reach the gateway with tokens and no certificate; the services require one.
  if (name != "gateway") flags.push_back("--tls_client_ca=" + tls_dir_ + "/ca.pem");
  return flags;
}

std::shared_ptr<grpc::Channel> Stack::ChannelTo(const std::string& name,
                                                const ServerProcess& server) const {
  if (tls_dir_.empty()) {
    return grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  }
  TlsOptions tls{.ca = tls_dir_ + "/ca.pem"};
  if (name != "gateway") {
    tls.client_cert = tls_dir_ + "/client.pem";
    tls.client_key = tls_dir_ + "/client-key.pem";
  }
  return grpc::CreateChannel(server.target(), ChannelCredentials(tls));
}

Stack::~Stack() {
  // Every process stops before any schema is dropped, so no server sees its tables vanish.
  for (auto it = servers_.rbegin(); it != servers_.rend(); ++it) it->process.process.reset();
  for (auto it = servers_.rbegin(); it != servers_.rend(); ++it) it->owned_db.reset();
}

std::vector<std::string> Stack::services() const {
  std::vector<std::string> names;
  for (const Server& server : servers_) {
    if (server.name != "gateway") names.push_back(server.name);
  }
  return names;
}

const Stack::Server& Stack::Find(const std::string& name) const {
  for (const Server& server : servers_) {
    if (server.name == name) return server;
  }
  std::vector<std::string> names;
  for (const Server& server : servers_) names.push_back(server.name);
  std::cerr << "Stack: no server \"" << name << "\" (running: " << absl::StrJoin(names, ", ")
            << ")\n";
  std::abort();
}

std::shared_ptr<grpc::Channel> Stack::channel(const std::string& name) const {
  return Find(name).channel;
}

ServerProcess& Stack::process(const std::string& name) {
  return const_cast<Server&>(Find(name)).process;
}

const db::PoolOptions& Stack::db(const std::string& name) const {
  const Server& server = Find(name);
  if (name == "gateway") {
    std::cerr << "Stack: the gateway has no database\n";
    std::abort();
  }
  return server.db;
}

absl::StatusOr<Session> Stack::Login(const std::string& username, const std::string& password) {
  auto stub = auth::v1::AuthService::NewStub(gateway());
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
  auto stub = auth::v1::AuthService::NewStub(channel("auth"));
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
  auto stub = auth::v1::AuthService::NewStub(gateway());
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
  auto stub = auth::v1::AuthService::NewStub(gateway());
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
  auto stub = auth::v1::AuthService::NewStub(gateway());
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
  for (const Server& server : servers_) {
    if (server.process.process) {
      absl::StrAppend(&out, "--- ", server.name, " (pid ", server.process.process->pid(), ")\n",
                      server.process.process->LogTail(), "\n");
    }
  }
  return out;
}

}  // namespace crm::testing
