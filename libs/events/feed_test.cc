// EventFeedService against a real MariaDB schema, served by an in-process gRPC server and
// read through the generated client, as a consumer would.
#include "libs/events/feed.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/db/testing.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/grpc/testing.h"
#include "libs/log/log.h"
#include "prometheus/registry.h"

namespace crm::events {
namespace {

constexpr char kCreated[] = "crm.customers.v1.CustomerCreated";
constexpr char kUpdated[] = "crm.customers.v1.CustomerUpdated";

constexpr absl::Duration kPatience = absl::Seconds(5);  // for things that must happen

FeedOptions FastOptions() {
  return {.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Milliseconds(300)};
}

// What the tests' authorization hook accepts as the `authorization` metadata.
constexpr char kGoodCredential[] = "Bearer let-me-in";

// Lets a call through when it carries kGoodCredential, as a service's token check would.
absl::Status RequireCredential(std::string_view authorization) {
  if (authorization != kGoodCredential) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING", "sign in first");
  }
  return absl::OkStatus();
}

absl::Status AllowAll(std::string_view) { return absl::OkStatus(); }

// A consumer: reads one Subscribe stream on its own thread and records what arrives.
class Subscription final {
 public:
  Subscription(v1::EventFeed::Stub& stub, int64_t after_sequence, int32_t batch_size = 0,
               std::string authorization = kGoodCredential)
      : Subscription(stub, Request(after_sequence, batch_size), std::move(authorization)) {}

  Subscription(v1::EventFeed::Stub& stub, const v1::SubscribeRequest& request,
               std::string authorization = kGoodCredential) {
    if (!authorization.empty()) ctx_.AddMetadata("authorization", authorization);
    reader_ = std::thread([this, &stub, request] {
      std::unique_ptr<grpc::ClientReader<v1::Event>> reader = stub.Subscribe(&ctx_, request);
      v1::Event event;
      while (reader->Read(&event)) {
        absl::MutexLock lock(&mu_);
        events_.push_back(event);
      }
      grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mu_);
      status_ = status;
    });
  }
  ~Subscription() {
    ctx_.TryCancel();
    reader_.join();
  }

  static v1::SubscribeRequest Request(int64_t after_sequence, int32_t batch_size = 0,
                                      std::vector<std::string> types = {}) {
    v1::SubscribeRequest request;
    request.set_after_sequence(after_sequence);
    request.set_batch_size(batch_size);
    for (std::string& type : types) request.add_types(std::move(type));
    return request;
  }

  void Cancel() { ctx_.TryCancel(); }

  // True once at least `count` events have arrived.
  bool WaitForEvents(size_t count, absl::Duration timeout = kPatience) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return events_.size() >= count || status_.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
    return events_.size() >= count;
  }

  // The status the stream ended with, or nullopt if it is still open after `timeout`.
  std::optional<grpc::Status> WaitForEnd(absl::Duration timeout = kPatience) {
    absl::MutexLock lock(&mu_);
    auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return status_.has_value(); };
    mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
    return status_;
  }

  std::vector<v1::Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

  // The sequences of the events received (progress markers of a filtered stream left out).
  std::vector<int64_t> sequences() {
    std::vector<int64_t> out;
    for (const v1::Event& e : events()) {
      if (!e.type().empty()) out.push_back(e.sequence());
    }
    return out;
  }
  // The sequences of the progress markers received.
  std::vector<int64_t> markers() {
    std::vector<int64_t> out;
    for (const v1::Event& e : events()) {
      if (e.type().empty()) out.push_back(e.sequence());
    }
    return out;
  }

 private:
  grpc::ClientContext ctx_;
  absl::Mutex mu_;
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
  std::thread reader_;
};

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto pool = db::Pool::Create(db_->options(), nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    writer_ = std::move(*pool);
    // The outbox as db::Migrate's platform track makes it for every service.
    absl::Status migrated = db::Migrate(*writer_, "");
    ASSERT_TRUE(migrated.ok()) << migrated;
  }

  void TearDown() override {
    if (server_ != nullptr) StopServer();
  }

  // Starts the feed on its own pool (so a test can starve it) behind a server on port 0.
  void StartServer(FeedOptions options = FastOptions(), int pool_size = 2,
                   absl::Duration borrow_timeout = absl::Seconds(2),
                   FeedAuthorizer authorize = AllowAll) {
    options.metrics = &registry_;
    db::PoolOptions pool_options = db_->options();
    pool_options.size = pool_size;
    pool_options.borrow_timeout = borrow_timeout;
    auto pool = db::Pool::Create(pool_options, nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    feed_pool_ = std::move(*pool);
    executor_ = std::make_unique<Executor>(2);
    feed_ = std::make_unique<EventFeedService>(*feed_pool_, *executor_, "customers.crm", options,
                                               std::move(authorize));

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(feed_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    stub_ = v1::EventFeed::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  // Shuts the server down the way a drain does (in-flight calls get a deadline, then are
  // cancelled) and returns how long it took.
  absl::Duration StopServer() {
    absl::Time start = absl::Now();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
    server_.reset();
    feed_.reset();  // waits for every stream to be deleted
    executor_.reset();
    return absl::Now() - start;
  }

  // Appends an event the way services do, in a committed transaction; returns its sequence.
  int64_t Append(const std::string& resource, const std::string& display_name = "Acme",
                 const std::string& type = kCreated) {
    customers::v1::Customer customer;
    customer.set_name(resource);
    customer.set_display_name(display_name);
    absl::Status st = writer_->InTransaction([&](db::Transaction& tx) {
      return events::Append(tx, {.type = type, .resource = resource, .actor = "users/7"}, customer);
    });
    EXPECT_TRUE(st.ok()) << st;
    return LastSequence();
  }

  // Runs `sql` on the writer's pool.
  void Execute(const std::string& sql, const std::vector<db::Value>& params = {}) {
    auto session = writer_->Borrow();
    ASSERT_TRUE(session.ok()) << session.status();
    auto st = (*session)->Execute(sql, params);
    ASSERT_TRUE(st.ok()) << st.status();
  }

  // What retention does: deletes the rows up to `sequence` and moves the horizon there,
  // in one transaction.
  void Prune(int64_t sequence) {
    absl::Status st = writer_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM outbox WHERE sequence <= ?", {sequence}).status());
      return tx.Execute("UPDATE outbox_horizon SET pruned_through = ? WHERE id = 1", {sequence})
          .status();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  double Metric(const std::string& name) { return testing::MetricValue(registry_, name); }

  // Polls `name` until it equals `want` (or kPatience passes); returns the last value.
  double WaitForMetric(const std::string& name, double want) {
    absl::Time deadline = absl::Now() + kPatience;
    double value = Metric(name);
    while (value != want && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
      value = Metric(name);
    }
    return value;
  }

  // Inserts a row with a chosen sequence and create_time, as a concurrent or old writer would
  // have left it.
  void InsertRaw(int64_t sequence, absl::Time create_time) {
    auto session = writer_->Borrow();
    ASSERT_TRUE(session.ok()) << session.status();
    google::protobuf::Any payload;
    auto st = (*session)->Execute(
        "INSERT INTO outbox (sequence, event_type, resource, payload, request_id, create_time) "
        "VALUES (?, 'crm.customers.v1.CustomerCreated', ?, ?, '', ?)",
        {sequence, absl::StrCat("customers/", sequence), payload.SerializeAsString(),
         db::FormatDateTime(create_time)});
    ASSERT_TRUE(st.ok()) << st.status();
  }

  int64_t LastSequence() {
    auto session = writer_->Borrow();
    auto rows = (*session)->Query("SELECT MAX(sequence) FROM outbox", {});
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  prometheus::Registry registry_;
  std::unique_ptr<db::testing::TestDatabase> db_;
  std::unique_ptr<db::Pool> writer_;
  std::unique_ptr<db::Pool> feed_pool_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<EventFeedService> feed_;

  // Waits until the feed's streams have completed `polls` more fetches than now: after that,
  // whatever a stream would deliver for the current state has been delivered (better than a
  // sleep, which passes vacuously when the stream has not started fetching yet).
  void WaitForPolls(int polls) {
    const int64_t target = feed_->fetches() + polls;
    const absl::Time deadline = absl::Now() + kPatience;
    while (feed_->fetches() < target && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_GE(feed_->fetches(), target) << "the feed did not poll";
  }
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::EventFeed::Stub> stub_;
};

TEST_F(EventFeedTest, StreamsTheEventsAfterTheCursorInOrder) {
  for (int i = 1; i <= 5; ++i) Append(absl::StrCat("customers/", i));
  StartServer();
  Subscription sub(*stub_, /*after_sequence=*/2);
  ASSERT_TRUE(sub.WaitForEvents(3));
  WaitForPolls(2);  // nothing else may arrive
  std::vector<v1::Event> events = sub.events();
  ASSERT_EQ(sub.sequences(), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(events[0].id(), "customers.crm/3");
  EXPECT_EQ(events[0].type(), "crm.customers.v1.CustomerCreated");
  EXPECT_EQ(events[0].resource(), "customers/3");
}

TEST_F(EventFeedTest, SmallBatchesStillDeliverEverything) {
  for (int i = 1; i <= 7; ++i) Append(absl::StrCat("customers/", i));
  StartServer();
  Subscription sub(*stub_, 0, /*batch_size=*/2);
  ASSERT_TRUE(sub.WaitForEvents(7));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(EventFeedTest, EventsAppendedWhileStreamingArrive) {
  StartServer();
  Subscription sub(*stub_, 0);
  WaitForPolls(1);  // it reached the empty end and polls
  EXPECT_TRUE(sub.events().empty());
  Append("customers/1");
  Append("customers/2");
  ASSERT_TRUE(sub.WaitForEvents(2));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1, 2}));
}

TEST_F(EventFeedTest, ResumingFromTheLastSeenSequenceDeliversNothingTwice) {
  for (int i = 1; i <= 3; ++i) Append(absl::StrCat("customers/", i));
  StartServer();
  int64_t cursor;
  {
    Subscription first(*stub_, 0);
    ASSERT_TRUE(first.WaitForEvents(3));
    cursor = first.events().back().sequence();
  }  // the consumer disconnects
  Append("customers/4");
  Append("customers/5");
  Subscription resumed(*stub_, cursor);
  ASSERT_TRUE(resumed.WaitForEvents(2));
  WaitForPolls(2);
  EXPECT_EQ(resumed.sequences(), (std::vector<int64_t>{4, 5}));
}

TEST_F(EventFeedTest, PayloadTimeAndRequestIdRoundTrip) {
  {
    log::ScopedRequestId request("req-42");
    Append("customers/9", "杭州某某科技有限公司");
  }
  StartServer();
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(1));
  v1::Event event = sub.events()[0];
  customers::v1::Customer customer;
  ASSERT_TRUE(event.payload().UnpackTo(&customer));
  EXPECT_EQ(customer.name(), "customers/9");
  EXPECT_EQ(customer.display_name(), "杭州某某科技有限公司");
  EXPECT_EQ(event.request_id(), "req-42");
  absl::Time time =
      absl::FromUnixSeconds(event.time().seconds()) + absl::Nanoseconds(event.time().nanos());
  EXPECT_LT(absl::AbsDuration(absl::Now() - time), absl::Seconds(30));
}

TEST_F(EventFeedTest, AnUncommittedEarlierEventHoldsBackLaterOnesUntilItCommits) {
  // The grace is long here so that only the commit can release the later event.
  StartServer({.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Seconds(30)});
  auto slow = writer_->Begin();
  ASSERT_TRUE(slow.ok()) << slow.status();
  customers::v1::Customer customer;
  ASSERT_TRUE(events::Append(**slow,
                             {.type = kCreated, .resource = "customers/1", .actor = "users/7"},
                             customer)
                  .ok());
  Append("customers/2");  // takes sequence 2 and commits first
  ASSERT_EQ(LastSequence(), 2);

  Subscription sub(*stub_, 0);
  WaitForPolls(3);
  EXPECT_TRUE(sub.events().empty()) << "2 was delivered while 1 could still commit";

  ASSERT_TRUE((*slow)->Commit().ok());
  ASSERT_TRUE(sub.WaitForEvents(2));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1, 2}));
}

TEST_F(EventFeedTest, AGapThatNeverFillsIsSkippedAfterTheGracePeriod) {
  StartServer();  // grace 300 ms
  absl::Time before_insert;
  {
    auto rolled_back = writer_->Begin();
    ASSERT_TRUE(rolled_back.ok()) << rolled_back.status();
    customers::v1::Customer customer;
    ASSERT_TRUE(events::Append(**rolled_back,
                               {.type = kCreated, .resource = "customers/1", .actor = "users/7"},
                               customer)
                    .ok());
    before_insert = absl::Now();
    Append("customers/2");
  }  // sequence 1 rolls back: a permanent gap

  Subscription sub(*stub_, 0);
  WaitForPolls(1);
  EXPECT_TRUE(sub.events().empty());
  ASSERT_TRUE(sub.WaitForEvents(1));
  // Released once 2 is older than the grace (less 1 ms: create_time keeps microseconds).
  EXPECT_GE(absl::Now() - before_insert, absl::Milliseconds(299));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{2}));
}

TEST_F(EventFeedTest, AGapFilledLaterDeliversTheRunInOrder) {
  StartServer({.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Seconds(30)});
  InsertRaw(1, absl::Now());
  InsertRaw(3, absl::Now());
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(1));
  WaitForPolls(3);
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1}));
  InsertRaw(2, absl::Now());
  ASSERT_TRUE(sub.WaitForEvents(3));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(EventFeedTest, OldGapsDoNotSlowDownCatchingUp) {
  StartServer({.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Seconds(30)});
  absl::Time hour_ago = absl::Now() - absl::Hours(1);
  InsertRaw(1, hour_ago);
  InsertRaw(3, hour_ago);
  InsertRaw(6, hour_ago);
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(3, absl::Seconds(2)));
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1, 3, 6}));
}

TEST_F(EventFeedTest, InvalidRequestsAreRejectedWithTheFieldNamed) {
  StartServer();
  for (auto [after, batch, field] : {std::tuple<int64_t, int32_t, std::string>{0, -1, "batch_size"},
                                     {-5, 10, "after_sequence"}}) {
    Subscription sub(*stub_, after, batch);
    std::optional<grpc::Status> status = sub.WaitForEnd();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    std::vector<FieldViolation> violations = FieldViolations(FromGrpcStatus(*status));
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field, field);
  }
}

TEST_F(EventFeedTest, ClientCancelEndsTheStreamAndTheServerLetsGoOfIt) {
  Append("customers/1");
  StartServer();
  {
    Subscription sub(*stub_, 0);
    ASSERT_TRUE(sub.WaitForEvents(1));
    EXPECT_EQ(feed_->open_streams(), 1);
    sub.Cancel();
    std::optional<grpc::Status> status = sub.WaitForEnd();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::CANCELLED);
  }
  absl::Time deadline = absl::Now() + kPatience;
  while (feed_->open_streams() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(feed_->open_streams(), 0);
  // A leaked call would hold Shutdown until its 10 s deadline.
  EXPECT_LT(StopServer(), absl::Seconds(2));
}

TEST_F(EventFeedTest, AnUnreachableDatabaseEndsTheStreamWithUnavailable) {
  Append("customers/1");
  StartServer(FastOptions(), /*pool_size=*/1, /*borrow_timeout=*/absl::Milliseconds(200));
  std::optional<grpc::Status> status;
  {
    auto taken = feed_pool_->Borrow();  // the feed's only connection
    ASSERT_TRUE(taken.ok()) << taken.status();
    Subscription starved(*stub_, 0);
    status = starved.WaitForEnd();
  }
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);

  Subscription retry(*stub_, 0);  // the consumer reconnects from its cursor
  ASSERT_TRUE(retry.WaitForEvents(1));
  EXPECT_EQ(retry.sequences(), (std::vector<int64_t>{1}));
}

TEST_F(EventFeedTest, DrainEndsOpenStreamsAndRefusesNewOnes) {
  Append("customers/1");
  StartServer();
  Subscription open(*stub_, 0);
  ASSERT_TRUE(open.WaitForEvents(1));
  absl::Time start = absl::Now();
  feed_->Drain();
  std::optional<grpc::Status> status = open.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));

  Subscription late(*stub_, 0);
  status = late.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(late.events().empty());
}

TEST_F(EventFeedTest, TheAuthorizationHookDecidesBeforeAnythingIsReadOrValidated) {
  Append("customers/1");
  StartServer(FastOptions(), 2, absl::Seconds(2), RequireCredential);

  Subscription anonymous(*stub_, 0, 0, /*authorization=*/"");
  std::optional<grpc::Status> status = anonymous.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(FromGrpcStatus(*status)), "TOKEN_MISSING");
  EXPECT_TRUE(anonymous.events().empty());

  // A refused caller is not told that their request was malformed either.
  Subscription malformed(*stub_, -5, 0, "Bearer wrong");
  status = malformed.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);

  Subscription allowed(*stub_, 0);
  ASSERT_TRUE(allowed.WaitForEvents(1));
  EXPECT_EQ(allowed.sequences(), (std::vector<int64_t>{1}));
}

// Access is checked before every read, so revoking it (an expired token, a logged-out or
// disabled user) ends a stream that is already open.
TEST_F(EventFeedTest, AStreamEndsWhenItsCallerLosesAccess) {
  Append("customers/1");
  auto revoked = std::make_shared<std::atomic<bool>>(false);
  StartServer(FastOptions(), 2, absl::Seconds(2), [revoked](std::string_view) {
    return revoked->load() ? Error(absl::StatusCode::kUnauthenticated, "TOKEN_REVOKED",
                                   "the session was revoked")
                           : absl::OkStatus();
  });
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(1));
  revoked->store(true);
  Append("customers/2");
  std::optional<grpc::Status> status = sub.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1})) << "nothing read after the revocation";
}

TEST_F(EventFeedTest, AFeedWithoutAnAuthorizationHookRefusesEveryone) {
  Append("customers/1");
  StartServer(FastOptions(), 2, absl::Seconds(2), FeedAuthorizer());
  Subscription sub(*stub_, 0);
  std::optional<grpc::Status> status = sub.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(sub.events().empty());
}

TEST_F(EventFeedTest, EventsCarryTheActorTheChangedPathsAndTheHead) {
  customers::v1::Customer customer;
  customer.set_name("customers/1");
  absl::Status st = writer_->InTransaction([&](db::Transaction& tx) {
    return events::Append(tx,
                          {.type = kUpdated,
                           .resource = "customers/1",
                           .actor = "services/orders",
                           .changed_paths = {"display_name", "region"}},
                          customer);
  });
  ASSERT_TRUE(st.ok()) << st;
  Append("customers/2");
  Append("customers/3");
  StartServer();
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(3));
  std::vector<v1::Event> events = sub.events();
  EXPECT_EQ(events[0].actor(), "services/orders");
  EXPECT_THAT(events[0].changed_paths(), ::testing::ElementsAre("display_name", "region"));
  EXPECT_EQ(events[0].head_sequence(), 3) << "the consumer learns it is two events behind";
  EXPECT_EQ(events[1].actor(), "users/7");
  EXPECT_TRUE(events[1].changed_paths().empty());
}

TEST_F(EventFeedTest, AppendRefusesAnEventWithoutAnActor) {
  customers::v1::Customer customer;
  absl::Status st = writer_->InTransaction([&](db::Transaction& tx) {
    return events::Append(tx, {.type = kCreated, .resource = "customers/1"}, customer);
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(LastSequence(), 0) << "nothing was written";
}

TEST_F(EventFeedTest, ATypeFilterSendsOnlyThoseTypesAndResumesPastTheOthers) {
  Append("customers/1", "a", kCreated);
  Append("customers/1", "b", kUpdated);
  Append("customers/2", "c", kCreated);
  Append("customers/1", "d", kUpdated);
  StartServer();
  Subscription updates(*stub_, Subscription::Request(0, /*batch_size=*/1, {kUpdated}));
  // One row a fetch: 1 (a create) is read and not sent, so a progress marker says the stream
  // is past it; 2 is sent; 3 is passed with a marker; 4 is sent.
  ASSERT_TRUE(updates.WaitForEvents(4));
  EXPECT_EQ(updates.sequences(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(updates.markers(), (std::vector<int64_t>{1, 3}));

  Append("customers/3", "e", kCreated);
  Append("customers/3", "f", kUpdated);
  ASSERT_TRUE(updates.WaitForEvents(6));
  EXPECT_EQ(updates.sequences(), (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(updates.markers(), (std::vector<int64_t>{1, 3, 5}));
  for (const v1::Event& marker : updates.events()) {
    if (!marker.type().empty()) continue;
    EXPECT_TRUE(marker.id().empty() && marker.resource().empty() && !marker.has_payload());
  }
}

TEST_F(EventFeedTest, ATypeFilterStillWaitsForAnUncommittedEventOfAnotherType) {
  StartServer({.poll_interval = absl::Milliseconds(20), .gap_grace = absl::Seconds(30)});
  auto slow = writer_->Begin();
  ASSERT_TRUE(slow.ok()) << slow.status();
  customers::v1::Customer customer;
  ASSERT_TRUE(
      events::Append(**slow, {.type = kCreated, .resource = "customers/1", .actor = "x"}, customer)
          .ok());
  Append("customers/1", "b", kUpdated);  // sequence 2 commits while 1 is open

  // Only updates are wanted, but 1 (a create) may still commit: 2 must wait for it, or a
  // consumer of everything after 2 would never see 1.
  Subscription updates(*stub_, Subscription::Request(0, 0, {kUpdated}));
  WaitForPolls(3);
  EXPECT_TRUE(updates.events().empty());
  ASSERT_TRUE((*slow)->Commit().ok());
  ASSERT_TRUE(updates.WaitForEvents(1));
  WaitForPolls(2);
  EXPECT_EQ(updates.sequences(), (std::vector<int64_t>{2}));
}

TEST_F(EventFeedTest, BadTypeNamesAreRejectedWithTheFieldNamed) {
  StartServer();
  Subscription sub(*stub_, Subscription::Request(0, 0, {kCreated, ""}));
  std::optional<grpc::Status> status = sub.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<FieldViolation> violations = FieldViolations(FromGrpcStatus(*status));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "types[1]");
}

TEST_F(EventFeedTest, ACursorBelowThePruningHorizonIsOutOfRangeWithTheEarliestSequence) {
  for (int i = 1; i <= 5; ++i) Append(absl::StrCat("customers/", i));
  Prune(3);
  StartServer();
  for (int64_t cursor : {0, 2}) {
    Subscription expired(*stub_, cursor);
    std::optional<grpc::Status> status = expired.WaitForEnd();
    ASSERT_TRUE(status.has_value()) << "cursor " << cursor;
    EXPECT_EQ(status->error_code(), grpc::StatusCode::OUT_OF_RANGE);
    absl::Status details = FromGrpcStatus(*status);
    EXPECT_EQ(ErrorReason(details), "CURSOR_EXPIRED");
    EXPECT_EQ(ErrorMetadata(details, "earliest_sequence"), "4");
    EXPECT_TRUE(expired.events().empty()) << "nothing is delivered past a hole";
  }
  // Accepting the loss: subscribe after earliest_sequence - 1.
  Subscription resumed(*stub_, 3);
  ASSERT_TRUE(resumed.WaitForEvents(2));
  EXPECT_EQ(resumed.sequences(), (std::vector<int64_t>{4, 5}));
}

TEST_F(EventFeedTest, AnOpenStreamThatFallsBehindTheHorizonEndsInsteadOfSkipping) {
  Append("customers/1");
  StartServer();
  Subscription sub(*stub_, 0);
  ASSERT_TRUE(sub.WaitForEvents(1));
  // Between two polls, events 2..4 are written and 2..3 pruned (an hour-long pause
  // compressed): the stream at 1 would otherwise go on with 4 as if 2 and 3 were gaps.
  absl::Status st = writer_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    customers::v1::Customer customer;
    for (int i = 2; i <= 4; ++i) {
      CRM_RETURN_IF_ERROR(events::Append(
          tx, {.type = kCreated, .resource = absl::StrCat("customers/", i), .actor = "users/7"},
          customer));
    }
    CRM_RETURN_IF_ERROR(tx.Execute("DELETE FROM outbox WHERE sequence IN (2, 3)", {}).status());
    return tx.Execute("UPDATE outbox_horizon SET pruned_through = 3 WHERE id = 1", {}).status();
  });
  ASSERT_TRUE(st.ok()) << st;
  std::optional<grpc::Status> status = sub.WaitForEnd();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(ErrorMetadata(FromGrpcStatus(*status), "earliest_sequence"), "4");
  EXPECT_EQ(sub.sequences(), (std::vector<int64_t>{1}));
}

TEST_F(EventFeedTest, MetricsCountStreamsDeliveriesAndTheBacklogBehindTheSlowestStream) {
  Append("customers/1");
  StartServer({.poll_interval = absl::Milliseconds(20),
               .gap_grace = absl::Seconds(30),
               .backlog_interval = absl::Milliseconds(1)});
  EXPECT_EQ(Metric("crm_events_open_streams"), 0);
  {
    Subscription first(*stub_, 0);
    ASSERT_TRUE(first.WaitForEvents(1));
    EXPECT_EQ(WaitForMetric("crm_events_open_streams", 1), 1);
    EXPECT_EQ(WaitForMetric("crm_events_delivered_total", 1), 1);
    EXPECT_EQ(WaitForMetric("crm_events_outbox_pending_rows", 0), 0);

    // 2 stays open, so 3 and 4 are held back behind it: the stream is stuck at 1.
    auto slow = writer_->Begin();
    ASSERT_TRUE(slow.ok()) << slow.status();
    customers::v1::Customer customer;
    ASSERT_TRUE(events::Append(**slow, {.type = kCreated, .resource = "customers/2", .actor = "x"},
                               customer)
                    .ok());
    Append("customers/3");
    Append("customers/4");
    EXPECT_EQ(WaitForMetric("crm_events_outbox_pending_rows", 3), 3);
    EXPECT_GE(Metric("crm_events_oldest_undelivered_seconds"), 0);

    ASSERT_TRUE((*slow)->Commit().ok());
    ASSERT_TRUE(first.WaitForEvents(4));
    EXPECT_EQ(WaitForMetric("crm_events_outbox_pending_rows", 0), 0);
    EXPECT_EQ(WaitForMetric("crm_events_delivered_total", 4), 4);
  }
  EXPECT_EQ(WaitForMetric("crm_events_open_streams", 0), 0);
}

TEST(DeliverablePrefixTest, StopsAtAYoungGapAndPassesAnOldOne) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  const absl::Duration grace = absl::Seconds(2);
  const absl::Time young = now - absl::Milliseconds(500);
  const absl::Time old = now - absl::Seconds(3);
  EXPECT_EQ(DeliverablePrefix(4, {{5, young}, {6, young}, {7, young}}, now, grace), 3u);
  EXPECT_EQ(DeliverablePrefix(4, {{5, young}, {7, young}, {8, young}}, now, grace), 1u);
  EXPECT_EQ(DeliverablePrefix(4, {{6, young}}, now, grace), 0u);
  EXPECT_EQ(DeliverablePrefix(4, {{6, old}, {7, young}, {9, young}}, now, grace), 2u);
  EXPECT_EQ(DeliverablePrefix(0, {}, now, grace), 0u);
}

}  // namespace
}  // namespace crm::events
