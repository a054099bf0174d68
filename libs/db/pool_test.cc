// Integration tests against a real MariaDB (see libs/db/testing.h).
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/db/db.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

// The value of one series in `registry`, or -1 when it is not there.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::string& label, const std::string& label_value) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& l : metric.label) {
        if (l.name == label && l.value == label_value) {
          if (family.type == prometheus::MetricType::Counter) return metric.counter.value;
          if (family.type == prometheus::MetricType::Gauge) return metric.gauge.value;
        }
      }
    }
  }
  return -1;
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::TestDatabase>> db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = *std::move(db);
    pool_ = MakePool(db_->options());
    ASSERT_NE(pool_, nullptr);
  }

  std::unique_ptr<Pool> MakePool(const PoolOptions& options) {
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options, &registry_);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  void Exec(std::string_view sql, const std::vector<Value>& params = {}) {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    ASSERT_TRUE(session.ok()) << session.status();
    absl::StatusOr<uint64_t> affected = (*session)->Execute(sql, params);
    ASSERT_TRUE(affected.ok()) << affected.status();
  }

  Rows Select(std::string_view sql, const std::vector<Value>& params = {}) {
    absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
    EXPECT_TRUE(session.ok()) << session.status();
    if (!session.ok()) return {};
    absl::StatusOr<Rows> rows = (*session)->Query(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *std::move(rows) : Rows{};
  }

  int64_t ConnectionId(Session& session) {
    absl::StatusOr<Rows> rows = session.Query("SELECT CONNECTION_ID()", {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : -1;
  }

  prometheus::Registry registry_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(PoolTest, RoundTripsIntegersNullsTextBlobsAndDatetimes) {
  Exec(
      "CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount BIGINT NULL,"
      " small INT NULL, name VARCHAR(100) NULL, data MEDIUMBLOB NULL, at DATETIME(6) NULL,"
      " price DECIMAL(12,2) NULL)");
  const std::string name = "杭州某某科技有限公司😀";
  std::string blob;
  for (int i = 0; i < 70000; ++i) blob.push_back(static_cast<char>(i % 256));  // zero bytes too
  const absl::Time at =
      absl::FromCivil(absl::CivilSecond(2026, 11, 27, 9, 30, 0), absl::UTCTimeZone()) +
      absl::Microseconds(123456);
  Exec("INSERT INTO items (amount, small, name, data, at, price) VALUES (?, ?, ?, ?, ?, ?)",
       {int64_t{-9000000000000000000}, int64_t{7}, name, blob, FormatDateTime(at),
        std::string("12.50")});
  Exec("INSERT INTO items (amount, small, name, data, at, price) VALUES (?, ?, ?, ?, ?, ?)",
       {std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{},
        std::monostate{}});

  Rows rows = Select(
      "SELECT amount, small, name, data, at, price, CHAR_LENGTH(name), LENGTH(data)"
      " FROM items ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  const Row& full = rows[0];
  EXPECT_EQ(full.Int(0), -9000000000000000000);
  EXPECT_TRUE(std::holds_alternative<int64_t>(full.at(1)));
  EXPECT_EQ(full.Int(1), 7);
  EXPECT_EQ(full.Str(2), name);
  EXPECT_EQ(full.Int(6), 11) << "the server must store characters, not mangled bytes";
  EXPECT_EQ(full.Str(3).size(), blob.size());
  EXPECT_TRUE(full.Str(3) == blob) << "blob bytes changed on the way";
  EXPECT_EQ(full.Int(7), 70000);
  EXPECT_EQ(full.Str(4), FormatDateTime(at));
  absl::StatusOr<absl::Time> parsed = ParseDateTime(full.Str(4));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, at);
  EXPECT_EQ(full.Str(5), "12.50");

  const Row& empty = rows[1];
  for (size_t i = 0; i < 6; ++i) EXPECT_TRUE(empty.IsNull(i)) << "column " << i;
}

TEST_F(PoolTest, SearchesChineseTextByPrefix) {
  Exec("CREATE TABLE names (name VARCHAR(100) NOT NULL)");
  Exec("INSERT INTO names (name) VALUES (?), (?)",
       {std::string("杭州某某科技有限公司"), std::string("上海某某贸易有限公司")});
  Rows rows = Select("SELECT name FROM names WHERE name LIKE ?", {std::string("杭州%")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Str(0), "杭州某某科技有限公司");
}

TEST_F(PoolTest, SessionUsesUtc) {
  Rows rows = Select("SELECT @@session.time_zone");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Str(0), "+00:00");
}

TEST_F(PoolTest, DuplicateKeyIsAlreadyExists) {
  Exec("CREATE TABLE users (email VARCHAR(100) NOT NULL PRIMARY KEY)");
  Exec("INSERT INTO users (email) VALUES (?)", {std::string("a@example.com")});
  absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
  ASSERT_TRUE(session.ok());
  absl::StatusOr<uint64_t> again =
      (*session)->Execute("INSERT INTO users (email) VALUES (?)", {std::string("a@example.com")});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(again.status()), "DUPLICATE_KEY");
  EXPECT_EQ(std::string(again.status().message()).find("a@example.com"), std::string::npos)
      << "the server's text (with the data) must not reach the status";
  EXPECT_EQ(std::string(again.status().message()).find("INSERT"), std::string::npos);
  EXPECT_GE(MetricValue(registry_, "crm_db_errors_total", "kind", "duplicate_key"), 1);
}

TEST_F(PoolTest, SyntaxErrorHidesTheSql) {
  absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
  ASSERT_TRUE(session.ok());
  absl::StatusOr<Rows> rows = (*session)->Query("SELECT secret_column FROM nowhere_table", {});
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(std::string(rows.status().message()).find("nowhere_table"), std::string::npos);
  // The connection is still good after a statement error.
  EXPECT_EQ(ConnectionId(**session) > 0, true);
}

TEST_F(PoolTest, ReturnsAffectedRowCount) {
  Exec("CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)");
  Exec("INSERT INTO counters VALUES (1, 0), (2, 0), (3, 5)");
  absl::StatusOr<std::unique_ptr<Session>> session = pool_->Borrow();
  ASSERT_TRUE(session.ok());
  absl::StatusOr<uint64_t> affected =
      (*session)->Execute("UPDATE counters SET n = n + 1 WHERE n < ?", {int64_t{5}});
  ASSERT_TRUE(affected.ok()) << affected.status();
  EXPECT_EQ(*affected, 2u);
}

TEST_F(PoolTest, TransactionNotCommittedLeavesNoRows) {
  Exec("CREATE TABLE orders (id INT PRIMARY KEY) ENGINE=InnoDB");
  {
    absl::StatusOr<std::unique_ptr<Transaction>> tx = pool_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE((*tx)->Execute("INSERT INTO orders VALUES (1)", {}).ok());
    ASSERT_TRUE((*tx)->Execute("INSERT INTO orders VALUES (2)", {}).ok());
    absl::StatusOr<Rows> inside = (*tx)->Query("SELECT COUNT(*) FROM orders", {});
    ASSERT_TRUE(inside.ok());
    EXPECT_EQ((*inside)[0].Int(0), 2) << "a transaction sees its own writes";
    // Dropped here without Commit(), as when a handler returns early with an error.
  }
  EXPECT_EQ(Select("SELECT COUNT(*) FROM orders")[0].Int(0), 0);

  {
    absl::StatusOr<std::unique_ptr<Transaction>> tx = pool_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE((*tx)->Execute("INSERT INTO orders VALUES (3)", {}).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
    EXPECT_FALSE((*tx)->Execute("INSERT INTO orders VALUES (4)", {}).ok())
        << "a committed transaction takes no more statements";
  }
  EXPECT_EQ(Select("SELECT COUNT(*) FROM orders")[0].Int(0), 1);

  // The connections went back in autocommit mode: a plain session's write is durable.
  Exec("INSERT INTO orders VALUES (5)");
  EXPECT_EQ(Select("SELECT COUNT(*) FROM orders")[0].Int(0), 2);
}

TEST_F(PoolTest, InTransactionFailureRollsBackAndIsNotRetried) {
  Exec("CREATE TABLE orders (id INT PRIMARY KEY) ENGINE=InnoDB");
  int calls = 0;
  absl::Status status = pool_->InTransaction([&](Transaction& tx) -> absl::Status {
    ++calls;
    CRM_RETURN_IF_ERROR(tx.Execute("INSERT INTO orders VALUES (1)", {}).status());
    return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH", "stale etag");
  });
  EXPECT_EQ(ErrorReason(status), "ETAG_MISMATCH");
  EXPECT_EQ(calls, 1) << "a business error is not a deadlock";
  EXPECT_EQ(Select("SELECT COUNT(*) FROM orders")[0].Int(0), 0);
}

// Waits until `parties` threads arrived, or gives up after a few seconds so a broken test
// fails instead of hanging.
class Rendezvous final {
 public:
  explicit Rendezvous(int parties) : waiting_for_(parties) {}
  void ArriveAndWait() {
    absl::MutexLock lock(&mu_);
    --waiting_for_;
    auto all_here = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return waiting_for_ <= 0; };
    mu_.AwaitWithTimeout(absl::Condition(&all_here), absl::Seconds(5));
  }

 private:
  absl::Mutex mu_;
  int waiting_for_ ABSL_GUARDED_BY(mu_);
};

TEST_F(PoolTest, InTransactionRetriesARealDeadlock) {
  Exec("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB");
  Exec("INSERT INTO accounts VALUES (1, 100), (2, 100)");
  Rendezvous both_hold_first_row(2);
  std::atomic<int> attempts{0};

  // Moves `amount` from `from` to `to`, locking `from` first: run in opposite directions,
  // the two transactions lock the rows in opposite order.
  auto transfer = [&](int from, int to, int64_t amount) {
    bool first_attempt = true;
    return pool_->InTransaction([&](Transaction& tx) -> absl::Status {
      ++attempts;
      CRM_RETURN_IF_ERROR(
          tx.Query("SELECT balance FROM accounts WHERE id = ? FOR UPDATE", {int64_t{from}})
              .status());
      if (first_attempt) {
        first_attempt = false;
        both_hold_first_row.ArriveAndWait();
      }
      CRM_RETURN_IF_ERROR(tx.Execute("UPDATE accounts SET balance = balance + ? WHERE id = ?",
                                     {amount, int64_t{to}})
                              .status());
      return tx
          .Execute("UPDATE accounts SET balance = balance - ? WHERE id = ?",
                   {amount, int64_t{from}})
          .status();
    });
  };
  absl::Status a, b;
  std::thread ta([&] { a = transfer(1, 2, 10); });
  std::thread tb([&] { b = transfer(2, 1, 5); });
  ta.join();
  tb.join();

  EXPECT_GE(attempts.load(), 3) << "the deadlock victim should have run again";
  for (const absl::Status* s : {&a, &b}) {
    EXPECT_TRUE(s->ok() || ErrorReason(*s) == "CONCURRENT_UPDATE") << *s;
  }
  Rows rows = Select("SELECT id, balance FROM accounts ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  const int64_t expected1 = 100 - (a.ok() ? 10 : 0) + (b.ok() ? 5 : 0);
  EXPECT_EQ(rows[0].Int(1), expected1);
  EXPECT_EQ(rows[0].Int(1) + rows[1].Int(1), 200) << "money appeared or vanished";
  EXPECT_GE(MetricValue(registry_, "crm_db_errors_total", "kind", "conflict"), 1);
}

TEST_F(PoolTest, ExhaustedPoolIsUnavailableAfterBorrowTimeout) {
  PoolOptions options = db_->options();
  options.size = 1;
  options.borrow_timeout = absl::Milliseconds(300);
  options.pool_name = "tiny";
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);

  absl::StatusOr<std::unique_ptr<Session>> held = pool->Borrow();
  ASSERT_TRUE(held.ok()) << held.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<Session>> second = pool->Borrow();
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(second.status()), "DATABASE_UNAVAILABLE");
  EXPECT_GE(waited, absl::Milliseconds(290));
  EXPECT_LT(waited, absl::Seconds(2));
  EXPECT_EQ(MetricValue(registry_, "crm_db_pool_timeouts_total", "pool", "tiny"), 1);
  EXPECT_FALSE(pool->Healthy());

  held->reset();
  absl::StatusOr<std::unique_ptr<Session>> third = pool->Borrow();
  EXPECT_TRUE(third.ok()) << third.status();
}

TEST_F(PoolTest, WaitingBorrowGetsTheConnectionWhenItIsReturned) {
  PoolOptions options = db_->options();
  options.size = 1;
  options.borrow_timeout = absl::Seconds(5);
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<std::unique_ptr<Session>> held = pool->Borrow();
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(100));
    held->reset();
  });
  absl::StatusOr<std::unique_ptr<Session>> next = pool->Borrow();
  releaser.join();
  EXPECT_TRUE(next.ok()) << next.status();
}

TEST_F(PoolTest, KilledConnectionIsReplacedOnTheNextBorrow) {
  PoolOptions options = db_->options();
  options.size = 1;
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);

  int64_t killed_id = 0;
  {
    absl::StatusOr<std::unique_ptr<Session>> session = pool->Borrow();
    ASSERT_TRUE(session.ok());
    killed_id = ConnectionId(**session);
    Exec("KILL CONNECTION ?", {killed_id});  // from another connection (pool_)
    absl::StatusOr<Rows> rows = (*session)->Query("SELECT 1", {});
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kUnavailable) << rows.status();
  }
  absl::StatusOr<std::unique_ptr<Session>> session = pool->Borrow();
  ASSERT_TRUE(session.ok()) << session.status();
  const int64_t new_id = ConnectionId(**session);
  EXPECT_GT(new_id, 0);
  EXPECT_NE(new_id, killed_id);
}

TEST_F(PoolTest, IdleConnectionKilledByTheServerIsReplacedWithoutAnError) {
  PoolOptions options = db_->options();
  options.size = 1;
  options.validate_after_idle = absl::ZeroDuration();  // ping on every borrow
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  int64_t killed_id = 0;
  {
    absl::StatusOr<std::unique_ptr<Session>> session = pool->Borrow();
    ASSERT_TRUE(session.ok());
    killed_id = ConnectionId(**session);
  }
  // As after a MariaDB restart: the pooled connection dies while nobody uses it.
  Exec("KILL CONNECTION ?", {killed_id});
  absl::SleepFor(absl::Milliseconds(1));

  absl::StatusOr<std::unique_ptr<Session>> session = pool->Borrow();
  ASSERT_TRUE(session.ok()) << session.status();
  absl::StatusOr<Rows> rows = (*session)->Query("SELECT CONNECTION_ID()", {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_NE((*rows)[0].Int(0), killed_id);
}

TEST_F(PoolTest, InTransactionRunsAgainOnAFreshConnectionWhenTheFirstDies) {
  Exec("CREATE TABLE notes (id INT PRIMARY KEY) ENGINE=InnoDB");
  PoolOptions options = db_->options();
  options.size = 1;
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  int calls = 0;
  absl::Status status = pool->InTransaction([&](Transaction& tx) -> absl::Status {
    ++calls;
    if (calls == 1) {
      absl::StatusOr<Rows> id = tx.Query("SELECT CONNECTION_ID()", {});
      if (!id.ok()) return id.status();
      Exec("KILL CONNECTION ?", {(*id)[0].Int(0)});
    }
    return tx.Execute("INSERT INTO notes VALUES (?)", {int64_t{calls}}).status();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 2);
  Rows rows = Select("SELECT id FROM notes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), 2);
}

TEST_F(PoolTest, HealthyWhenTheServerAnswers) {
  EXPECT_TRUE(pool_->Healthy());
  EXPECT_GE(MetricValue(registry_, "crm_db_pool_connections", "state", "idle"), 1);
}

TEST_F(PoolTest, ExportsItsConfiguredSize) {
  PoolOptions options = db_->options();
  options.size = 3;
  options.pool_name = "sized";
  std::unique_ptr<Pool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  // The maximum, although only the one connection opened at start-up exists yet.
  EXPECT_EQ(MetricValue(registry_, "crm_db_pool_size", "pool", "sized"), 3);
}

TEST(PoolCreateTest, WrongPasswordFailsFast) {
  absl::StatusOr<std::unique_ptr<testing::TestDatabase>> db = testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status().message();
  PoolOptions options = (*db)->options();
  options.user = "no_such_user_for_crm_tests";
  options.password = "wrong";
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options, nullptr);
  EXPECT_FALSE(pool.ok());
  EXPECT_NE(std::string(pool.status().message()).find("1045"), std::string::npos) << pool.status();
}

}  // namespace
}  // namespace crm::db
