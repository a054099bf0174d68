// events::Retention against a real MariaDB schema with the platform tables, with a fake
// clock so that "seven days later" takes no time.
#include "libs/events/retention.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/db/testing.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"

namespace crm::events {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::testing::CreateMigrated("", /*pool_size=*/4);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }

  RetentionOptions Options(int batch_size = 1000) {
    return {.idempotency_retention = 7 * kDay,
            .outbox_retention = 3 * kDay,
            .inbox_retention = 2 * kDay,
            .batch_size = batch_size};
  }

  void Execute(const std::string& sql, const std::vector<db::Value>& params) {
    absl::Status st = db::testing::Execute(*db_.pool, sql, params);
    ASSERT_TRUE(st.ok()) << st;
  }
  std::vector<int64_t> Ints(const std::string& sql) {
    absl::StatusOr<std::vector<int64_t>> ints = db::testing::QueryInts(*db_.pool, sql);
    EXPECT_TRUE(ints.ok()) << ints.status();
    return ints.ok() ? *ints : std::vector<int64_t>{};
  }

  void AddKey(const std::string& request_id, absl::Duration age) {
    Execute(
        "INSERT INTO idempotency_keys (request_id, method, request_hash, response, create_time) "
        "VALUES (?, 'CreateCustomer', REPEAT('0', 64), '', ?)",
        {request_id, db::FormatDateTime(clock_.Now() - age)});
  }
  void AddEvent(int64_t sequence, absl::Duration age) {
    Execute(
        "INSERT INTO outbox (sequence, event_type, resource, payload, create_time, actor) "
        "VALUES (?, 'crm.customers.v1.CustomerCreated', 'customers/1', '', ?, 'users/1')",
        {sequence, db::FormatDateTime(clock_.Now() - age)});
  }
  void AddInbox(int64_t sequence, absl::Duration age) {
    Execute(
        "INSERT INTO event_inbox (consumer, event_id, feed, sequence, apply_time) "
        "VALUES ('analytics', ?, 'customers', ?, ?)",
        {absl::StrCat("customers.crm/", sequence), sequence,
         db::FormatDateTime(clock_.Now() - age)});
  }

  FakeClock clock_{absl::FromUnixSeconds(1'900'000'000)};
  db::testing::MigratedDatabase db_;
};

TEST_F(RetentionTest, DeletesWhatIsOlderThanEachRetentionAndKeepsTheRest) {
  AddKey("old", 8 * kDay);
  AddKey("young", 6 * kDay);
  for (int64_t s = 1; s <= 4; ++s) AddEvent(s, 4 * kDay);
  AddEvent(5, 2 * kDay);
  AddInbox(1, 3 * kDay);
  AddInbox(2, kDay);

  Retention retention(*db_.pool, Options(), clock_);
  absl::StatusOr<Retention::Report> report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ran);
  EXPECT_EQ(report->idempotency_keys, 1);
  EXPECT_EQ(report->outbox_rows, 4);
  EXPECT_EQ(report->inbox_rows, 1);
  EXPECT_EQ(report->pruned_through, 4);

  EXPECT_EQ(Ints("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = 'young'"),
            std::vector<int64_t>{1});
  EXPECT_EQ(Ints("SELECT sequence FROM outbox"), std::vector<int64_t>{5});
  EXPECT_EQ(Ints("SELECT pruned_through FROM outbox_horizon"), std::vector<int64_t>{4});
  EXPECT_EQ(Ints("SELECT sequence FROM event_inbox"), std::vector<int64_t>{2});

  // A day later the rest of the outbox is old too.
  clock_.Advance(kDay + absl::Seconds(1));
  report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outbox_rows, 1);
  EXPECT_EQ(Ints("SELECT pruned_through FROM outbox_horizon"), std::vector<int64_t>{5});
}

TEST_F(RetentionTest, SmallBatchesDeleteEverythingAndTheHorizonFollowsEachBatch) {
  for (int64_t s = 1; s <= 7; ++s) AddEvent(s, 5 * kDay);
  for (int i = 0; i < 5; ++i) AddKey(absl::StrCat("k", i), 9 * kDay);
  Retention retention(*db_.pool, Options(/*batch_size=*/2), clock_);
  absl::StatusOr<Retention::Report> report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->outbox_rows, 7);
  EXPECT_EQ(report->idempotency_keys, 5);
  EXPECT_TRUE(Ints("SELECT sequence FROM outbox").empty());
  EXPECT_EQ(Ints("SELECT pruned_through FROM outbox_horizon"), std::vector<int64_t>{7});
}

// Replicas' clocks disagree a little, so sequence order and time order can too. The
// horizon is a sequence, so pruning stops at the first row that is not old yet.
TEST_F(RetentionTest, AYoungRowStopsTheOutboxPruningSoTheHorizonNeverPassesIt) {
  AddEvent(1, 5 * kDay);
  AddEvent(2, kDay);
  AddEvent(3, 5 * kDay);
  Retention retention(*db_.pool, Options(), clock_);
  absl::StatusOr<Retention::Report> report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->pruned_through, 1);
  EXPECT_EQ(Ints("SELECT sequence FROM outbox ORDER BY sequence"), (std::vector<int64_t>{2, 3}));
}

TEST_F(RetentionTest, AReplicaSkipsTheRunWhileAnotherHoldsTheLock) {
  AddKey("old", 8 * kDay);
  AddEvent(1, 5 * kDay);
  auto other = db_.pool->Borrow();  // another replica's connection
  ASSERT_TRUE(other.ok()) << other.status();
  auto lock = db::NamedLock::ForSchema(**other, "crm_retention_");
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(*(*lock)->Acquire(absl::ZeroDuration()));

  prometheus::Registry registry;
  Retention retention(*db_.pool, Options(), clock_, &registry);
  absl::StatusOr<Retention::Report> report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->ran);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM idempotency_keys"), std::vector<int64_t>{1});
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM outbox"), std::vector<int64_t>{1});

  lock->reset();  // the other replica finished
  report = retention.RunOnce();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ran);
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM idempotency_keys"), std::vector<int64_t>{0});

  const double skipped =
      testing::MetricValue(registry, "crm_retention_runs_total", {{"result", "skipped"}});
  const double done =
      testing::MetricValue(registry, "crm_retention_runs_total", {{"result", "done"}});
  const double deleted_outbox =
      testing::MetricValue(registry, "crm_retention_deleted_rows_total", {{"table", "outbox"}});
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(deleted_outbox, 1);
}

TEST_F(RetentionTest, TheBackgroundThreadRunsAtStartAndStopsPromptly) {
  AddKey("old", 8 * kDay);
  RetentionOptions options = Options();
  options.interval = absl::Hours(1);
  {
    Retention retention(*db_.pool, options, clock_);
    retention.Start();
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (Ints("SELECT COUNT(*) FROM idempotency_keys") != std::vector<int64_t>{0} &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }  // the destructor ends the hour-long wait instead of sitting it out
  EXPECT_EQ(Ints("SELECT COUNT(*) FROM idempotency_keys"), std::vector<int64_t>{0});
}

TEST(RetentionFlagsTest, DefaultsAreSevenDaysAndFlagsOrEnvironmentOverride) {
  config::Flags defaults(std::vector<std::string>{}, {}, "svc");
  RetentionOptions options = ReadRetentionFlags(defaults);
  EXPECT_EQ(options.idempotency_retention, absl::Hours(168));
  EXPECT_EQ(options.outbox_retention, absl::Hours(168));
  EXPECT_TRUE(defaults.problems().empty());

  config::Flags set({"--outbox_retention=720h", "--retention_batch=50"},
                    {{"CRM_IDEMPOTENCY_RETENTION", "48h"}}, "svc");
  options = ReadRetentionFlags(set);
  EXPECT_EQ(options.outbox_retention, absl::Hours(720));
  EXPECT_EQ(options.idempotency_retention, absl::Hours(48));
  EXPECT_EQ(options.batch_size, 50);

  config::Flags bad({"--inbox_retention=5s"}, {}, "svc");
  ReadRetentionFlags(bad);
  EXPECT_EQ(bad.problems().size(), 1u) << "a retention under a minute is refused";
}

}  // namespace
}  // namespace crm::events
