#include "libs/db/testing.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "absl/strings/str_format.h"

namespace crm::db::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string UniqueSchemaName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  // pid + counter are unique on one machine; the random part covers pid reuse after a
  // crashed run left its schema behind, and test processes on other machines.
  return absl::StrFormat("test_%d_%d_%06x", static_cast<int>(getpid()), ++counter,
                         random() & 0xffffff);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  PoolOptions server;
  server.unix_socket = Env("CRM_TEST_DB_SOCKET");
  const std::string host = Env("CRM_TEST_DB_HOST");
  if (server.unix_socket.empty() && host.empty()) {
    return absl::FailedPreconditionError(
        "no test database: run ./tools/dev test (or ./tools/dev up) so CRM_TEST_DB_SOCKET is "
        "set");
  }
  if (!host.empty()) server.host = host;
  if (const std::string port = Env("CRM_TEST_DB_PORT"); !port.empty()) {
    if (!absl::SimpleAtoi(port, &server.port)) {
      return absl::InvalidArgumentError(absl::StrCat("bad CRM_TEST_DB_PORT: ", port));
    }
  }
  server.user = Env("CRM_TEST_DB_USER");
  if (server.user.empty()) server.user = "root";
  server.password = Env("CRM_TEST_DB_PASSWORD");
  server.size = 1;
  server.pool_name = "test_admin";

  absl::StatusOr<std::unique_ptr<Pool>> admin = Pool::Create(server, nullptr);
  if (!admin.ok()) return admin.status();
  std::string schema = UniqueSchemaName();
  absl::StatusOr<std::unique_ptr<Session>> session = (*admin)->Borrow();
  if (!session.ok()) return session.status();
  // The name is generated above, never user input, so splicing it is safe.
  absl::StatusOr<uint64_t> created =
      (*session)->Execute(absl::StrCat("CREATE DATABASE `", schema,
                                       "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
                          {});
  if (!created.ok()) return created.status();
  session->reset();
  return std::unique_ptr<TestDatabase>(
      new TestDatabase(std::move(server), std::move(schema), *std::move(admin)));
}

TestDatabase::TestDatabase(PoolOptions server, std::string schema, std::unique_ptr<Pool> admin)
    : server_(std::move(server)), schema_(std::move(schema)), admin_(std::move(admin)) {}

TestDatabase::~TestDatabase() {
  absl::StatusOr<std::unique_ptr<Session>> session = admin_->Borrow();
  absl::Status status = session.status();
  if (session.ok()) {
    status = (*session)->Execute(absl::StrCat("DROP DATABASE `", schema_, "`"), {}).status();
  }
  if (!status.ok()) {
    std::fprintf(stderr, "warning: could not drop test schema %s: %s\n", schema_.c_str(),
                 status.ToString().c_str());
  }
}

PoolOptions TestDatabase::options() const {
  PoolOptions options = server_;
  options.schema = schema_;
  options.size = 4;
  options.borrow_timeout = absl::Seconds(2);
  options.pool_name = "test";
  return options;
}

absl::StatusOr<MigratedDatabase> CreateMigrated(const std::string& schema_dir, int pool_size) {
  MigratedDatabase out;
  CRM_ASSIGN_OR_RETURN(out.db, TestDatabase::Create());
  PoolOptions options = out.db->options();
  options.size = pool_size;
  CRM_ASSIGN_OR_RETURN(out.pool, Pool::Create(options, nullptr));
  CRM_RETURN_IF_ERROR(Migrate(*out.pool, schema_dir));
  return out;
}

absl::Status Execute(Pool& pool, std::string_view sql, const std::vector<Value>& params) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, pool.Borrow());
  return session->Execute(sql, params).status();
}

absl::StatusOr<std::vector<int64_t>> QueryInts(Pool& pool, std::string_view sql,
                                               const std::vector<Value>& params) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, pool.Borrow());
  CRM_ASSIGN_OR_RETURN(Rows rows, session->Query(sql, params));
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(row.Int(0));
  return out;
}

}  // namespace crm::db::testing
