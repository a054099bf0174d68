// A throw-away schema on the developer's (or CI's) private MariaDB, for integration tests.
//
//   auto db = crm::db::testing::TestDatabase::Create();
//   ASSERT_TRUE(db.ok()) << db.status();
//   auto pool = crm::db::Pool::Create((*db)->options(), nullptr);
//
// The server comes from the environment that `./tools/dev test` sets up:
// CRM_TEST_DB_SOCKET (unix socket) or CRM_TEST_DB_HOST / CRM_TEST_DB_PORT, with
// CRM_TEST_DB_USER (default root) and CRM_TEST_DB_PASSWORD (default empty). Without a
// server Create() fails, so a test run without a database fails instead of passing
// vacuously.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/db/db.h"

namespace crm::db::testing {

class TestDatabase final {
 public:
  // Creates a new utf8mb4 schema named test_<pid>_<counter>_<random>.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  // Drops the schema.
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Pool options for the new schema (size 4, borrow timeout 2 s).
  PoolOptions options() const;
  const std::string& schema() const { return schema_; }

 private:
  TestDatabase(PoolOptions server, std::string schema, std::unique_ptr<Pool> admin);

  PoolOptions server_;  // connection settings without a schema
  std::string schema_;
  std::unique_ptr<Pool> admin_;  // a schema-less session for CREATE/DROP DATABASE
};

// A throw-away schema with the migrations of `schema_dir` applied and a pool of
// `pool_size` on it: what a service's store tests start from. Keep `db` alive as long as
// `pool` (declare it first).
struct MigratedDatabase {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Pool> pool;
};
absl::StatusOr<MigratedDatabase> CreateMigrated(const std::string& schema_dir,
                                                int pool_size = 8);

// For a test's own set-up and checks: runs `sql` on a connection of `pool`, and reads the
// first column of every row of `sql` as integers.
absl::Status Execute(Pool& pool, std::string_view sql, const std::vector<Value>& params = {});
absl::StatusOr<std::vector<int64_t>> QueryInts(Pool& pool, std::string_view sql,
                                               const std::vector<Value>& params = {});

}  // namespace crm::db::testing
