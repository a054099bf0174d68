// Integration tests of Migrate() against a real MariaDB (see libs/db/testing.h).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/db/db.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

namespace fs = std::filesystem;

constexpr char kCreate[] =
    "-- customers and their tags\n"
    "CREATE TABLE customers (\n"
    "  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
    "  name VARCHAR(200) NOT NULL\n"
    ") ENGINE=InnoDB;\n"
    "\n"
    "CREATE TABLE tags (customer_id BIGINT NOT NULL, tag VARCHAR(50) NOT NULL);\n";
constexpr char kSeed[] =
    "INSERT INTO customers (name) VALUES ('杭州某某科技有限公司');\n"
    "-- a trailing comment\n";
constexpr char kIndex[] = "CREATE INDEX tags_by_tag ON tags (tag);\n";

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::TestDatabase>> db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = *std::move(db);
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(db_->options(), nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    dir_ = fs::path(::testing::TempDir()) / absl::StrCat("migrations_", db_->schema());
    fs::create_directories(dir_);
    Write("001_create_customers.sql", kCreate);
    Write("002_seed.sql", kSeed);
    Write("010_index_tags.sql", kIndex);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& contents) {
    std::ofstream(dir_ / name, std::ios::binary) << contents;
  }

  int64_t Count(const std::string& table) {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    EXPECT_TRUE(session.ok());
    if (!session.ok()) return -1;
    absl::StatusOr<Rows> rows = (*session)->Query(absl::StrCat("SELECT COUNT(*) FROM ", table), {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  Rows Applied() {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    EXPECT_TRUE(session.ok());
    if (!session.ok()) return {};
    absl::StatusOr<Rows> rows = (*session)->Query(
        "SELECT version, title, checksum, applied_at FROM schema_migrations ORDER BY version", {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *std::move(rows) : Rows{};
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Pool> pool_;
  fs::path dir_;
};

TEST_F(MigrateTest, AppliesEveryFileInOrderAndASecondRunChangesNothing) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Count("customers"), 1);
  EXPECT_EQ(Count("tags"), 0);
  Rows applied = Applied();
  ASSERT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied[0].Int(0), 1);
  EXPECT_EQ(applied[0].Str(1), "create_customers");
  EXPECT_EQ(applied[0].Str(2).size(), 64u);  // SHA-256 hex
  EXPECT_EQ(applied[2].Int(0), 10);
  EXPECT_TRUE(ParseDateTime(applied[2].Str(3)).ok()) << applied[2].Str(3);

  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Count("customers"), 1) << "the seed file ran twice";
  EXPECT_EQ(Applied().size(), 3u);
}

TEST_F(MigrateTest, NewFileIsAppliedOnTheNextRun) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  Write("011_more.sql", "INSERT INTO tags VALUES (1, 'vip');\n");
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Count("tags"), 1);
  EXPECT_EQ(Applied().size(), 4u);
}

TEST_F(MigrateTest, EditedAppliedFileIsRefused) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  Write("002_seed.sql", std::string(kSeed) + "INSERT INTO customers (name) VALUES ('x');\n");
  absl::Status status = Migrate(*pool_, dir_.string());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), "MIGRATION_EDITED");
  EXPECT_NE(std::string(status.message()).find("002_seed.sql"), std::string::npos) << status;
  EXPECT_EQ(Count("customers"), 1);
}

TEST_F(MigrateTest, DatabaseAheadOfTheDirectoryIsRefused) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  fs::remove(dir_ / "010_index_tags.sql");
  absl::Status status = Migrate(*pool_, dir_.string());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), "MIGRATION_UNKNOWN");
}

TEST_F(MigrateTest, FailingStatementNamesTheFileButNotTheSql) {
  Write("020_broken.sql", "ALTER TABLE customers ADD COLUMN secret_col INT;\nALTER TABLE nope;\n");
  absl::Status status = Migrate(*pool_, dir_.string());
  ASSERT_FALSE(status.ok());
  const std::string message(status.message());
  EXPECT_NE(message.find("020_broken.sql statement 2"), std::string::npos) << message;
  EXPECT_EQ(message.find("nope"), std::string::npos) << message;
  EXPECT_EQ(Applied().size(), 3u) << "the files before the broken one stay applied";
}

TEST_F(MigrateTest, BadlyNamedFileIsRefused) {
  Write("create_more.sql", kIndex);
  absl::Status status = Migrate(*pool_, dir_.string());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(status.message()).find("create_more.sql"), std::string::npos);
}

TEST_F(MigrateTest, ReplicasMigratingTogetherApplyEachFileOnce) {
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Pool>> pools;
  for (int i = 0; i < kReplicas; ++i) {
    PoolOptions options = db_->options();
    options.size = 1;
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options, nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pools.push_back(*std::move(pool));
  }
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*pools[i], dir_.string()); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& status : results) EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count("customers"), 1) << "the seed ran more than once";
  EXPECT_EQ(Applied().size(), 3u);
}

// The libraries' tables come with every Migrate, after the service's own files.
class PlatformMigrationTest : public MigrateTest {
 protected:
  Rows Query(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    EXPECT_TRUE(session.ok());
    if (!session.ok()) return {};
    absl::StatusOr<Rows> rows = (*session)->Query(sql, {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *std::move(rows) : Rows{};
  }
  absl::Status Execute(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    if (!session.ok()) return session.status();
    return (*session)->Execute(sql, {}).status();
  }
  std::vector<std::string> Columns(const std::string& table) {
    std::vector<std::string> out;
    for (const Row& row : Query(absl::StrCat(
             "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
             "AND table_name = '",
             table, "' ORDER BY ordinal_position"))) {
      out.push_back(row.Str(0));
    }
    return out;
  }
};

TEST_F(PlatformMigrationTest, ANewServiceGetsTheLibraryTablesWithoutWritingThem) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Columns("outbox"),
            (std::vector<std::string>{"sequence", "event_type", "resource", "payload", "request_id",
                                      "create_time", "actor", "changed_paths"}));
  EXPECT_FALSE(Columns("idempotency_keys").empty());
  EXPECT_FALSE(Columns("event_cursors").empty());
  EXPECT_FALSE(Columns("event_inbox").empty());
  Rows horizon = Query("SELECT pruned_through FROM outbox_horizon WHERE id = 1");
  ASSERT_EQ(horizon.size(), 1u);
  EXPECT_EQ(horizon[0].Int(0), 0);
  Rows platform = Query("SELECT version, checksum FROM platform_migrations ORDER BY version");
  ASSERT_GE(platform.size(), 3u);
  EXPECT_EQ(platform[0].Str(1).size(), 64u);
  EXPECT_EQ(Applied().size(), 3u) << "the service's own bookkeeping is separate";

  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Query("SELECT version FROM platform_migrations").size(), platform.size());
  EXPECT_EQ(Query("SELECT * FROM outbox_horizon").size(), 1u);
}

TEST_F(PlatformMigrationTest, AnOlderServicesOwnOutboxKeepsItsRowsAndGainsTheNewColumns) {
  // What services/customers/schema/001 made before the platform track existed.
  Write("003_outbox.sql",
        "CREATE TABLE outbox (\n"
        "  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
        "  event_type VARCHAR(128) NOT NULL,\n"
        "  resource VARCHAR(128) NOT NULL,\n"
        "  payload LONGBLOB NOT NULL,\n"
        "  request_id VARCHAR(64) NOT NULL DEFAULT '',\n"
        "  create_time DATETIME(6) NOT NULL\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n"
        "INSERT INTO outbox (event_type, resource, payload, create_time)\n"
        "  VALUES ('crm.customers.v1.CustomerCreated', 'customers/1', '', NOW(6));\n");
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  EXPECT_EQ(Count("outbox"), 1);
  Rows row = Query("SELECT resource, actor, changed_paths FROM outbox");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0].Str(0), "customers/1");
  EXPECT_EQ(row[0].Str(1), "");
  EXPECT_EQ(row[0].Str(2), "");
}

TEST_F(PlatformMigrationTest, AnEmptyDirectoryAppliesOnlyThePlatformTrack) {
  ASSERT_TRUE(Migrate(*pool_, "").ok());
  EXPECT_FALSE(Columns("outbox").empty());
  EXPECT_TRUE(Applied().empty());
}

TEST_F(PlatformMigrationTest, AChangedOrUnknownPlatformMigrationStopsTheStart) {
  ASSERT_TRUE(Migrate(*pool_, dir_.string()).ok());
  ASSERT_TRUE(
      Execute("UPDATE platform_migrations SET checksum = REPEAT('0', 64) WHERE version = 2").ok());
  absl::Status edited = Migrate(*pool_, dir_.string());
  EXPECT_EQ(ErrorReason(edited), "MIGRATION_EDITED") << edited;
  EXPECT_NE(std::string(edited.message()).find("platform migration 002_idempotency_keys"),
            std::string::npos)
      << edited;

  ASSERT_TRUE(Execute("DELETE FROM platform_migrations WHERE version = 2").ok());
  ASSERT_TRUE(Execute("INSERT INTO platform_migrations VALUES (999, 'future', REPEAT('0', 64), "
                      "UTC_TIMESTAMP(6))")
                  .ok());
  absl::Status unknown = Migrate(*pool_, dir_.string());
  EXPECT_EQ(ErrorReason(unknown), "MIGRATION_UNKNOWN") << unknown;
}

}  // namespace
}  // namespace crm::db
