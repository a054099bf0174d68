// Exactly once under crashes: two crm-customers replicas on one schema take 10,000 changes
// (creates, updates, deletes) while crm-test-consumer follows their event feed into a
// counter table in its own schema. The consumer is SIGKILLed and restarted at random
// moments, and one producer replica is killed and restarted mid-stream. In the end every
// change has been applied exactly once: the consumer's counts per (type, resource) equal
// the producer's outbox. Then retention prunes the outbox, and a fresh consumer, whose
// cursor is older than that, is stopped with OUT_OF_RANGE instead of applying anything.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/testing.h"
#include "libs/events/consumer.h"
#include "libs/events/retention.h"
#include "libs/grpc/credentials.h"
#include "libs/grpc/status.h"
#include "tests/support/process.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

namespace v1 = customers::v1;
using testing::ChildProcess;
using testing::ServerProcess;
using testing::Stack;
using testing::TempDir;

constexpr int kChanges = 10'000;
constexpr int kWriters = 8;
constexpr char kCreated[] = "crm.customers.v1.CustomerCreated";
constexpr char kUpdated[] = "crm.customers.v1.CustomerUpdated";

// Failures a client retries (with the same request_id): the replica went away, or the
// database asked for a retry.
bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::ABORTED ||
         code == grpc::StatusCode::UNKNOWN;
}

// (event type, resource) -> count.
using Counts = std::map<std::pair<std::string, std::string>, int64_t>;

Counts ReadCounts(db::Pool& pool, const std::string& sql) {
  Counts counts;
  auto session = pool.Borrow();
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return counts;
  auto rows = (*session)->Query(sql, {});
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return counts;
  for (const db::Row& row : *rows) counts[{row.Str(0), row.Str(1)}] = row.Int(2);
  return counts;
}

// The first column of the first row of `sql`; -1 on an error or no row.
int64_t ReadInt(db::Pool& pool, const std::string& sql) {
  absl::StatusOr<std::vector<int64_t>> ints = db::testing::QueryInts(pool, sql);
  return ints.ok() && !ints->empty() ? (*ints)[0] : -1;
}

class EventsCrashE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto admin = stack_->LoginAdmin();
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = *admin;
    // Feeds are internal: the consumer reads as the analytics service, the way a read model
    // does.
    auto feed_token = stack_->ServiceToken("analytics");
    ASSERT_TRUE(feed_token.ok()) << feed_token.status();
    feed_token_ = *feed_token;

    // The second producer replica, on the first one's schema, with the Stack's flags.
    replica_b_args_ = testing::DbFlags(stack_->db("customers"));
    replica_b_args_.insert(
        replica_b_args_.end(),
        {"--auth_target=" + stack_->process("auth").target(), "--revocation_poll_ms=200",
         "--team_members_ttl_ms=0", "--page_token_secret=e2e-customers-pages", "--workers=8",
         "--db_pool_size=8"});
    auto b = testing::StartServer(CRM_CUSTOMERS_BIN, "customers-b", dir_, replica_b_args_);
    ASSERT_TRUE(b.ok()) << b.status();
    replica_b_ = std::move(*b);

    auto producer_pool = db::Pool::Create(stack_->db("customers"), nullptr);
    ASSERT_TRUE(producer_pool.ok()) << producer_pool.status();
    producer_ = std::move(*producer_pool);

    auto consumer_db = db::testing::TestDatabase::Create();
    ASSERT_TRUE(consumer_db.ok()) << consumer_db.status();
    consumer_db_ = std::move(*consumer_db);
    // Migrated by the consumer process itself; this pool only reads.
    auto consumer_pool = db::Pool::Create(consumer_db_->options(), nullptr);
    ASSERT_TRUE(consumer_pool.ok()) << consumer_pool.status();
    consumer_pool_ = std::move(*consumer_pool);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << stack_->Logs();
      if (replica_b_.process) std::cerr << "--- customers-b\n" << replica_b_.process->LogTail();
      if (consumer_) std::cerr << "--- consumer\n" << consumer_->LogTail();
    }
  }

  std::string ReplicaA() { return stack_->process("customers").target(); }
  std::string ReplicaB() { return absl::StrCat("127.0.0.1:", replica_b_.port); }

  void StartConsumer() {
    // Replica B first: pick_first streams from it, so killing B breaks the stream and the
    // consumer fails over to A.
    std::vector<std::string> args = testing::DbFlags(consumer_db_->options());
    args.insert(args.end(),
                {absl::StrCat("--feed_target=ipv4:", ReplicaB(), ",", ReplicaA()),
                 "--auth_target=" + stack_->process("auth").target(),
                 "--service_secret=" + stack_->service_secret("analytics"), "--max_backoff=500ms"});
    auto process = ChildProcess::Start(CRM_TEST_CONSUMER_BIN, args, dir_.path() + "/consumer.log");
    ASSERT_TRUE(process.ok()) << process.status();
    consumer_ = std::move(*process);
  }

  void KillConsumer() {
    consumer_->Signal(SIGKILL);
    ASSERT_TRUE(consumer_->Wait(absl::Seconds(10)).ok());
  }

  void RestartReplicaB() {
    replica_b_.process->Signal(SIGKILL);
    ASSERT_TRUE(replica_b_.process->Wait(absl::Seconds(10)).ok());
    std::vector<std::string> args = replica_b_args_;
    args.push_back(absl::StrCat("--port=", replica_b_.port));  // the same address again
    auto b = testing::StartServer(CRM_CUSTOMERS_BIN, "customers-b", dir_, args);
    ASSERT_TRUE(b.ok()) << b.status();
    replica_b_ = std::move(*b);
  }

  // The consumer's cursor on the customers feed (-1 before it has one).
  int64_t ConsumerCursor() {
    return ReadInt(*consumer_pool_,
                   "SELECT sequence FROM event_cursors WHERE consumer = 'test-consumer' AND "
                   "feed = 'customers'");
  }

  // Polls until the consumer's cursor reaches `sequence`; no assertion on how long it takes,
  // only a bound so that a lost event fails the test instead of hanging it.
  bool WaitForConsumer(int64_t sequence) {
    absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (ConsumerCursor() < sequence) {
      if (absl::Now() > deadline || !consumer_->Running()) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return true;
  }

  TempDir dir_;
  std::unique_ptr<Stack> stack_;
  testing::Session admin_;
  std::string feed_token_;  // services/analytics, which the policy table lets read feeds
  std::vector<std::string> replica_b_args_;
  ServerProcess replica_b_;
  std::unique_ptr<db::Pool> producer_;
  std::unique_ptr<db::testing::TestDatabase> consumer_db_;
  std::unique_ptr<db::Pool> consumer_pool_;
  std::unique_ptr<ChildProcess> consumer_;
};

// One writer: creates, updates and deletes its own customers, alternating replicas, and
// retries a failed call with the same request_id on the other replica, so each change is
// made exactly once whichever replica dies under it.
class Writer final {
 public:
  Writer(int id, int changes, const std::string& token,
         std::vector<std::unique_ptr<v1::CustomerService::Stub>> replicas, std::atomic<int>& done)
      : id_(id),
        changes_(changes),
        token_(token),
        replicas_(std::move(replicas)),
        done_(done),
        random_(static_cast<uint64_t>(id) * 7919) {}

  void Run() {
    for (int i = 0; i < changes_ && error_.empty(); ++i) {
      const double roll = std::uniform_real_distribution<double>(0, 1)(random_);
      if (live_.size() < 3 || roll < 0.45) {
        Create(i);
      } else if (roll < 0.8) {
        Update(i);
      } else {
        Delete(i);
      }
      done_.fetch_add(1);
    }
  }

  const std::string& error() const { return error_; }

 private:
  template <typename Request, typename Response>
  bool Call(int i,
            grpc::Status (v1::CustomerService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                              Response*),
            const Request& request, Response* response) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto ctx = testing::ContextWithToken(token_);
      v1::CustomerService::Stub& stub = *replicas_[(id_ + i + attempt) % replicas_.size()];
      grpc::Status status = (stub.*method)(ctx.get(), request, response);
      if (status.ok()) return true;
      if (!Retryable(status.error_code())) {
        error_ = absl::StrCat("writer ", id_, " change ", i, ": ", status.error_message());
        return false;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    error_ = absl::StrCat("writer ", id_, " change ", i, ": no replica took it");
    return false;
  }

  std::string RequestId(int i) const { return absl::StrCat("crash-", id_, "-", i); }

  void Create(int i) {
    v1::CreateCustomerRequest request;
    request.mutable_customer()->set_display_name(absl::StrCat("客户 ", id_, "-", i));
    request.mutable_customer()->set_kind(v1::COMPANY);
    request.set_request_id(RequestId(i));
    v1::Customer created;
    if (Call(i, &v1::CustomerService::Stub::CreateCustomer, request, &created)) {
      live_.push_back(created.name());
    }
  }

  void Update(int i) {
    v1::UpdateCustomerRequest request;
    request.mutable_customer()->set_name(live_[random_() % live_.size()]);
    request.mutable_customer()->set_display_name(absl::StrCat("改名 ", id_, "-", i));
    request.mutable_update_mask()->add_paths("display_name");
    request.set_request_id(RequestId(i));
    v1::Customer updated;
    Call(i, &v1::CustomerService::Stub::UpdateCustomer, request, &updated);
  }

  void Delete(int i) {
    const size_t index = random_() % live_.size();
    v1::DeleteCustomerRequest request;
    request.set_name(live_[index]);
    request.set_request_id(RequestId(i));
    google::protobuf::Empty empty;
    if (Call(i, &v1::CustomerService::Stub::DeleteCustomer, request, &empty)) {
      live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(index));
    }
  }

  const int id_;
  const int changes_;
  const std::string token_;
  std::vector<std::unique_ptr<v1::CustomerService::Stub>> replicas_;
  std::atomic<int>& done_;
  std::mt19937_64 random_;
  std::vector<std::string> live_;
  std::string error_;
};

TEST_F(EventsCrashE2eTest, EveryChangeIsAppliedExactlyOnceThroughCrashesAndRestarts) {
  StartConsumer();

  std::atomic<int> done{0};
  std::vector<std::unique_ptr<Writer>> writers;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    std::vector<std::unique_ptr<v1::CustomerService::Stub>> replicas;
    for (const std::string& target : {ReplicaA(), ReplicaB()}) {
      replicas.push_back(v1::CustomerService::NewStub(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials())));
    }
    writers.push_back(std::make_unique<Writer>(w, kChanges / kWriters, admin_.access_token,
                                               std::move(replicas), done));
  }
  for (auto& writer : writers) threads.emplace_back([&writer] { writer->Run(); });

  // Chaos while the changes are made: the consumer dies at random moments (the seed is
  // printed so a failure can be replayed), replica B once, a third of the way through.
  const uint64_t seed = std::random_device{}();
  std::cerr << "chaos seed " << seed << "\n";
  std::mt19937_64 chaos(seed);
  int consumer_kills = 0;
  std::string killed_at;  // the consumer's cursor at each kill, for the log
  bool producer_restarted = false;
  while (done.load() < kChanges || consumer_kills < 5) {
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(200, 1200)(chaos)));
    KillConsumer();
    ++consumer_kills;
    absl::StrAppend(&killed_at, " ", ConsumerCursor());
    StartConsumer();
    if (!producer_restarted && done.load() >= kChanges / 3) {
      RestartReplicaB();
      producer_restarted = true;
    }
    bool writers_stuck = false;
    for (auto& writer : writers) writers_stuck |= !writer->error().empty();
    if (writers_stuck) break;
  }
  for (std::thread& t : threads) t.join();
  for (auto& writer : writers) ASSERT_EQ(writer->error(), "");
  ASSERT_TRUE(producer_restarted);
  std::cerr << "consumer killed " << consumer_kills << " times, at cursors" << killed_at << "\n";

  // Every change made exactly one event (retries replayed, never repeated)...
  const int64_t last = ReadInt(*producer_, "SELECT MAX(sequence) FROM outbox");
  ASSERT_EQ(ReadInt(*producer_, "SELECT COUNT(*) FROM outbox"), kChanges);
  // ...and, once the consumer has caught up, was applied exactly once.
  ASSERT_TRUE(WaitForConsumer(last)) << "cursor " << ConsumerCursor() << " of " << last;
  const Counts truth =
      ReadCounts(*producer_, "SELECT event_type, resource, COUNT(*) FROM outbox GROUP BY 1, 2");
  const Counts applied =
      ReadCounts(*consumer_pool_, "SELECT event_type, resource, applied FROM event_counts");
  EXPECT_EQ(applied.size(), truth.size());
  EXPECT_TRUE(applied == truth) << "the consumer's counts differ from the producer's outbox";
  std::map<std::string, int64_t> truth_by_type, applied_by_type;
  for (const auto& [key, count] : truth) truth_by_type[key.first] += count;
  for (const auto& [key, count] : applied) applied_by_type[key.first] += count;
  EXPECT_EQ(applied_by_type, truth_by_type);
  EXPECT_EQ(truth_by_type.size(), 3u) << "creates, updates and deletes were all made";

  // Events v2 fields, as the producer wrote them.
  EXPECT_EQ(
      ReadInt(*producer_, absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '", kUpdated,
                                       "' AND (changed_paths <> 'display_name' OR actor <> '",
                                       admin_.user.name(), "')")),
      0);
  EXPECT_EQ(ReadInt(*producer_, absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '",
                                             kCreated, "' AND changed_paths <> ''")),
            0);

  // Retention, forced: a day later with a one-minute outbox retention, every row goes.
  FakeClock day_later(absl::Now() + absl::Hours(24));
  events::Retention retention(*producer_, {.outbox_retention = absl::Minutes(1)}, day_later);
  absl::StatusOr<events::Retention::Report> pruned;
  for (int attempt = 0; attempt < 100; ++attempt) {
    pruned = retention.RunOnce();
    // A replica's own retention job may hold the lock for a moment; then this run skips.
    if (!pruned.ok() || pruned->ran) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  ASSERT_TRUE(pruned->ran);
  ASSERT_EQ(pruned->pruned_through, last);

  // The consumer that kept up is not affected: its cursor is at the horizon.
  v1::CreateCustomerRequest create;
  create.mutable_customer()->set_display_name("after retention");
  create.mutable_customer()->set_kind(v1::COMPANY);
  v1::Customer created;
  auto stub = v1::CustomerService::NewStub(
      grpc::CreateChannel(ReplicaA(), grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(stub->CreateCustomer(admin_.Context().get(), create, &created).ok());
  const int64_t newest = ReadInt(*producer_, "SELECT MAX(sequence) FROM outbox");
  ASSERT_TRUE(WaitForConsumer(newest));

  // A fresh consumer starts from 0, below the horizon: stopped, told where the feed now
  // begins, nothing applied.
  class Nothing final : public events::EventHandler {
   public:
    absl::Status Apply(db::Transaction&, const events::v1::Event&) override {
      ++calls;
      return absl::OkStatus();
    }
    std::atomic<int> calls{0};
  } handler;
  auto fresh_db = db::testing::CreateMigrated("", 4);
  ASSERT_TRUE(fresh_db.ok()) << fresh_db.status();
  events::Consumer fresh(
      *fresh_db->pool, handler,
      {.consumer = "fresh",
       .feeds = {{.name = "customers",
                  .channel = grpc::CreateChannel(ReplicaA(), grpc::InsecureChannelCredentials())}},
       .credentials = BearerTokenCredentials(feed_token_),
       .initial_backoff = absl::Milliseconds(50),
       .max_backoff = absl::Milliseconds(500)});
  ASSERT_TRUE(fresh.Start().ok());
  events::FeedStatus status;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    absl::SleepFor(absl::Milliseconds(50));
    status = *fresh.GetStatus("customers");
  } while (status.state != events::FeedState::kCursorExpired && absl::Now() < deadline);
  ASSERT_EQ(status.state, events::FeedState::kCursorExpired) << status.last_error;
  EXPECT_EQ(status.earliest_sequence, last + 1);
  EXPECT_EQ(ErrorReason(status.last_error), "CURSOR_EXPIRED");
  EXPECT_EQ(handler.calls.load(), 0);
  EXPECT_EQ(ReadInt(*fresh_db->pool, "SELECT COUNT(*) FROM event_inbox"), 0);
  fresh.Stop();

  consumer_->Signal(SIGTERM);
  EXPECT_EQ(*consumer_->Wait(absl::Seconds(10)), 0) << "the consumer stops cleanly on SIGTERM";
}

}  // namespace
}  // namespace crm
