// events::Consumer against a real producer: an EventFeedService on its own schema behind
// an in-process gRPC server, and the consumer's own schema, both on the test MariaDB.
#include "libs/events/consumer.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/db/testing.h"
#include "libs/events/feed.h"
#include "libs/events/outbox.h"
#include "libs/events/retention.h"
#include "libs/grpc/credentials.h"
#include "libs/grpc/executor.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"

namespace crm::events {
namespace {

constexpr char kCreated[] = "crm.customers.v1.CustomerCreated";
constexpr char kUpdated[] = "crm.customers.v1.CustomerUpdated";
constexpr char kToken[] = "let-me-in";
constexpr absl::Duration kPatience = absl::Seconds(10);  // for things that must happen

// The read model of the tests: how often each event was applied, and in what order.
constexpr char kCreateApplied[] =
    "CREATE TABLE applied (event_id VARCHAR(128) NOT NULL PRIMARY KEY, sequence BIGINT NOT NULL,"
    " times INT NOT NULL, ord BIGINT NOT NULL AUTO_INCREMENT UNIQUE) ENGINE=InnoDB";
constexpr char kRecordApplied[] =
    "INSERT INTO applied (event_id, sequence, times) VALUES (?, ?, 1) "
    "ON DUPLICATE KEY UPDATE times = times + 1";

// Records each event in `applied`; can be told to fail, and counts Reset calls.
class RecordingHandler final : public EventHandler {
 public:
  absl::Status Apply(db::Transaction& tx, const v1::Event& event) override {
    if (fail_before_.load() > 0 && event.sequence() == fail_sequence_.load()) {
      fail_before_.fetch_sub(1);
      return absl::InternalError("the read model refused the event");
    }
    return tx.Execute(kRecordApplied, {event.id(), event.sequence()}).status();
  }
  absl::Status Reset(db::Transaction& tx, std::string_view) override {
    ++resets_;
    return tx.Execute("DELETE FROM applied", {}).status();
  }
  // The next `times` attempts to apply `sequence` fail.
  void FailSequence(int64_t sequence, int times) {
    fail_sequence_ = sequence;
    fail_before_ = times;
  }
  int resets() const { return resets_.load(); }

 private:
  std::atomic<int64_t> fail_sequence_{0};
  std::atomic<int> fail_before_{0};
  std::atomic<int> resets_{0};
};

absl::Status RequireToken(std::string_view authorization) {
  if (authorization != absl::StrCat("Bearer ", kToken)) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING", "sign in first");
  }
  return absl::OkStatus();
}

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto producer = db::testing::CreateMigrated("", 4);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    auto consumer = db::testing::CreateMigrated("", 8);
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    consumer_ = std::move(*consumer);
    Execute(*consumer_.pool, kCreateApplied);
    port_ = 0;
    StartProducer();
  }

  void TearDown() override { StopProducer(); }

  void StartProducer() {
    executor_ = std::make_unique<Executor>(2);
    feed_ = std::make_unique<EventFeedService>(
        *producer_.pool, *executor_, "customers.crm",
        FeedOptions{.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Milliseconds(300)},
        RequireToken);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(feed_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  void StopProducer() {
    if (server_ == nullptr) return;
    feed_->Drain();  // as a draining server does: streams end with UNAVAILABLE
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_.reset();
    feed_.reset();
    executor_.reset();
  }

  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                               grpc::InsecureChannelCredentials());
  }

  ConsumerOptions Options(std::vector<std::string> types = {}) {
    return {.consumer = "analytics",
            .feeds = {{.name = "customers", .channel = Channel(), .types = std::move(types)}},
            .credentials = BearerTokenCredentials(kToken),
            .initial_backoff = absl::Milliseconds(10),
            .max_backoff = absl::Milliseconds(100),
            .metrics = &registry_};
  }

  static void Execute(db::Pool& pool, const std::string& sql) {
    absl::Status st = db::testing::Execute(pool, sql);
    ASSERT_TRUE(st.ok()) << st;
  }
  static std::vector<int64_t> Ints(db::Pool& pool, const std::string& sql) {
    absl::StatusOr<std::vector<int64_t>> ints = db::testing::QueryInts(pool, sql);
    EXPECT_TRUE(ints.ok()) << ints.status();
    return ints.ok() ? *ints : std::vector<int64_t>{};
  }

  // Commits one event in the producer's outbox; returns its sequence.
  int64_t Produce(const std::string& type = kCreated) {
    customers::v1::Customer customer;
    customer.set_name("customers/1");
    absl::Status st = producer_.pool->InTransaction([&](db::Transaction& tx) {
      return Append(tx, {.type = type, .resource = "customers/1", .actor = "users/1"}, customer);
    });
    EXPECT_TRUE(st.ok()) << st;
    return Ints(*producer_.pool, "SELECT MAX(sequence) FROM outbox")[0];
  }

  // The sequences applied, in the order they were applied.
  std::vector<int64_t> AppliedInOrder() {
    return Ints(*consumer_.pool, "SELECT sequence FROM applied ORDER BY ord");
  }
  int64_t MaxTimesApplied() {
    std::vector<int64_t> max = Ints(*consumer_.pool, "SELECT COALESCE(MAX(times), 0) FROM applied");
    return max.empty() ? -1 : max[0];
  }

  // Polls `consumer` until `done` holds for its status (or kPatience passes).
  static FeedStatus WaitFor(const Consumer& consumer,
                            const std::function<bool(const FeedStatus&)>& done) {
    absl::Time deadline = absl::Now() + kPatience;
    while (true) {
      absl::StatusOr<FeedStatus> status = consumer.GetStatus("customers");
      EXPECT_TRUE(status.ok()) << status.status();
      if (!status.ok() || done(*status) || absl::Now() > deadline) {
        return status.ok() ? *status : FeedStatus{};
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  static FeedStatus WaitForCursor(const Consumer& consumer, int64_t sequence) {
    return WaitFor(consumer, [sequence](const FeedStatus& s) { return s.cursor >= sequence; });
  }

  double Metric(const std::string& name) { return testing::MetricValue(registry_, name); }

  prometheus::Registry registry_;
  db::testing::MigratedDatabase producer_;
  db::testing::MigratedDatabase consumer_;
  int port_ = 0;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<EventFeedService> feed_;
  std::unique_ptr<grpc::Server> server_;
  RecordingHandler handler_;
};

TEST_F(ConsumerTest, AppliesEachEventOnceAndResumesFromItsCursorAfterARestart) {
  for (int i = 0; i < 5; ++i) Produce();
  {
    Consumer consumer(*consumer_.pool, handler_, Options());
    ASSERT_TRUE(consumer.Start().ok());
    FeedStatus status = WaitForCursor(consumer, 5);
    EXPECT_EQ(status.cursor, 5);
    EXPECT_EQ(status.applied, 5);
    EXPECT_EQ(status.state, FeedState::kStreaming);
  }
  for (int i = 0; i < 3; ++i) Produce();
  Consumer restarted(*consumer_.pool, handler_, Options());
  ASSERT_TRUE(restarted.Start().ok());
  FeedStatus status = WaitForCursor(restarted, 8);
  EXPECT_EQ(status.applied, 3) << "the restarted consumer went on from its stored cursor";
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(MaxTimesApplied(), 1);
  EXPECT_EQ(Ints(*consumer_.pool, "SELECT COUNT(*) FROM event_inbox"), std::vector<int64_t>{8});
  EXPECT_EQ(Ints(*consumer_.pool, "SELECT sequence FROM event_cursors"), std::vector<int64_t>{8});
}

TEST_F(ConsumerTest, TwoReplicasOfAConsumerApplyEachEventExactlyOnce) {
  Consumer first(*consumer_.pool, handler_, Options());
  auto second_pool = db::Pool::Create(consumer_.db->options(), nullptr);
  ASSERT_TRUE(second_pool.ok()) << second_pool.status();
  Consumer second(**second_pool, handler_, Options());
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this] {
      for (int i = 0; i < 25; ++i) Produce();
    });
  }
  for (std::thread& t : writers) t.join();
  const int64_t last = Ints(*producer_.pool, "SELECT MAX(sequence) FROM outbox")[0];
  WaitForCursor(first, last);
  WaitForCursor(second, last);
  EXPECT_EQ(Ints(*consumer_.pool, "SELECT COUNT(*) FROM applied"), std::vector<int64_t>{100});
  EXPECT_EQ(MaxTimesApplied(), 1);
  const int64_t applied_by_both =
      first.GetStatus("customers")->applied + second.GetStatus("customers")->applied;
  EXPECT_EQ(applied_by_both, 100) << "each event was applied by exactly one replica";
}

TEST_F(ConsumerTest, AFailedApplyIsRetriedAndNothingAfterItIsAppliedFirst) {
  for (int i = 0; i < 4; ++i) Produce();
  handler_.FailSequence(2, /*times=*/3);
  Consumer consumer(*consumer_.pool, handler_, Options());
  ASSERT_TRUE(consumer.Start().ok());
  FeedStatus status = WaitForCursor(consumer, 4);
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(MaxTimesApplied(), 1);
  EXPECT_EQ(status.last_error.code(), absl::StatusCode::kInternal) << status.last_error;
}

TEST_F(ConsumerTest, ACursorOlderThanRetentionStopsTheFeedUntilAnOperatorSkips) {
  for (int i = 0; i < 5; ++i) Produce();
  // Seven days later the first five are gone.
  FakeClock later(absl::Now() + absl::Hours(24 * 8));
  Retention retention(*producer_.pool, {}, later);
  ASSERT_TRUE(retention.RunOnce().ok());
  for (int i = 0; i < 2; ++i) Produce();  // 6, 7

  Consumer consumer(*consumer_.pool, handler_, Options());
  ASSERT_TRUE(consumer.Start().ok());
  FeedStatus status =
      WaitFor(consumer, [](const FeedStatus& s) { return s.state == FeedState::kCursorExpired; });
  ASSERT_EQ(status.state, FeedState::kCursorExpired);
  EXPECT_EQ(status.earliest_sequence, 6);
  EXPECT_EQ(ErrorReason(status.last_error), "CURSOR_EXPIRED");
  EXPECT_EQ(Metric("crm_events_consumer_cursor_expired"), 1);
  absl::SleepFor(absl::Milliseconds(200));  // several backoffs: it stays stopped
  EXPECT_EQ(consumer.GetStatus("customers")->state, FeedState::kCursorExpired);
  EXPECT_TRUE(AppliedInOrder().empty()) << "nothing is applied past a hole";

  ASSERT_TRUE(consumer.SkipToEarliest("customers").ok());
  status = WaitForCursor(consumer, 7);
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(Metric("crm_events_consumer_cursor_expired"), 0);
  EXPECT_EQ(consumer.SkipToEarliest("customers").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ConsumerTest, AnOperatorsSkipOnOneReplicaResumesTheOthers) {
  for (int i = 0; i < 5; ++i) Produce();
  FakeClock later(absl::Now() + absl::Hours(24 * 8));
  Retention retention(*producer_.pool, {}, later);
  ASSERT_TRUE(retention.RunOnce().ok());
  for (int i = 0; i < 2; ++i) Produce();  // 6, 7

  Consumer first(*consumer_.pool, handler_, Options());
  auto second_pool = db::Pool::Create(consumer_.db->options(), nullptr);
  ASSERT_TRUE(second_pool.ok()) << second_pool.status();
  Consumer second(**second_pool, handler_, Options());
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  auto expired = [](const FeedStatus& s) { return s.state == FeedState::kCursorExpired; };
  ASSERT_EQ(WaitFor(first, expired).state, FeedState::kCursorExpired);
  ASSERT_EQ(WaitFor(second, expired).state, FeedState::kCursorExpired);

  ASSERT_TRUE(first.SkipToEarliest("customers").ok());
  FeedStatus status = WaitFor(second, [](const FeedStatus& s) {
    return s.state != FeedState::kCursorExpired && s.cursor >= 7;
  });
  EXPECT_NE(status.state, FeedState::kCursorExpired) << "the other replica resumed on its own";
  EXPECT_EQ(status.cursor, 7);
  WaitForCursor(first, 7);
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(MaxTimesApplied(), 1);
}

TEST_F(ConsumerTest, RewindRebuildsTheReadModelFromTheStart) {
  for (int i = 0; i < 3; ++i) Produce();
  Consumer consumer(*consumer_.pool, handler_, Options());
  ASSERT_TRUE(consumer.Start().ok());
  WaitForCursor(consumer, 3);
  ASSERT_TRUE(consumer.Rewind("customers").ok());
  EXPECT_EQ(handler_.resets(), 1);
  Produce();
  FeedStatus status = WaitForCursor(consumer, 4);
  EXPECT_EQ(status.cursor, 4);
  // Applied again from 1, into a model the Reset hook cleared: once each, not twice.
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(MaxTimesApplied(), 1);
  EXPECT_EQ(consumer.Rewind("orders").code(), absl::StatusCode::kNotFound);
}

TEST_F(ConsumerTest, ReconnectsWhenTheProducerComesBack) {
  Produce();
  Consumer consumer(*consumer_.pool, handler_, Options());
  ASSERT_TRUE(consumer.Start().ok());
  WaitForCursor(consumer, 1);
  StopProducer();
  Produce();  // written while the feed is down
  FeedStatus status = WaitFor(consumer, [](const FeedStatus& s) {
    return s.state != FeedState::kStreaming && !s.last_error.ok();
  });
  EXPECT_EQ(status.last_error.code(), absl::StatusCode::kUnavailable) << status.last_error;
  StartProducer();  // the same port
  status = WaitForCursor(consumer, 2);
  EXPECT_EQ(status.cursor, 2);
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{1, 2}));
}

TEST_F(ConsumerTest, WithoutCredentialsNothingIsAppliedAndTheRefusalIsVisible) {
  Produce();
  ConsumerOptions options = Options();
  options.credentials = nullptr;
  Consumer consumer(*consumer_.pool, handler_, std::move(options));
  ASSERT_TRUE(consumer.Start().ok());
  FeedStatus status = WaitFor(consumer, [](const FeedStatus& s) { return !s.last_error.ok(); });
  EXPECT_EQ(status.last_error.code(), absl::StatusCode::kUnauthenticated) << status.last_error;
  EXPECT_TRUE(AppliedInOrder().empty());
}

TEST_F(ConsumerTest, ATypeFilterAppliesOnlyThoseTypesAndItsCursorKeepsUp) {
  Produce(kCreated);
  Produce(kUpdated);
  Produce(kCreated);
  Consumer consumer(*consumer_.pool, handler_, Options({kUpdated}));
  ASSERT_TRUE(consumer.Start().ok());
  // The trailing create is not applied, but the stream's progress marker moves the cursor
  // past it: no false lag, and no re-reading it on the next reconnect.
  FeedStatus status = WaitForCursor(consumer, 3);
  EXPECT_EQ(AppliedInOrder(), (std::vector<int64_t>{2}));
  EXPECT_EQ(status.head_sequence, 3);
  EXPECT_EQ(Metric("crm_events_consumer_lag_events"), 0);
  EXPECT_EQ(Metric("crm_events_consumer_applied_total"), 1);
  EXPECT_EQ(Ints(*consumer_.pool, "SELECT COUNT(*) FROM event_inbox"), std::vector<int64_t>{1})
      << "markers leave nothing in the inbox";
}

TEST_F(ConsumerTest, BadOptionsAreRefusedAtStart) {
  ConsumerOptions options = Options();
  options.consumer = "";
  options.feeds.push_back({.name = "customers", .channel = nullptr});
  Consumer consumer(*consumer_.pool, handler_, std::move(options));
  absl::Status started = consumer.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolations(started)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"consumer", "feeds[1].name", "feeds[1].channel"}));
}

}  // namespace
}  // namespace crm::events
