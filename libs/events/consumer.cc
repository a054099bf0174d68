#include "libs/events/consumer.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <random>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm::events {
namespace {

// An Event with no type: a filtered stream's "read up to here" (events.proto).
bool IsProgressMarker(const v1::Event& event) { return event.type().empty(); }

constexpr char kEnsureCursor[] =
    "INSERT IGNORE INTO event_cursors (consumer, feed, sequence, epoch, update_time) "
    "VALUES (?, ?, 0, 0, ?)";
constexpr char kReadCursor[] =
    "SELECT sequence, epoch FROM event_cursors WHERE consumer = ? AND feed = ?";
constexpr char kLockCursor[] =
    "SELECT sequence, epoch FROM event_cursors WHERE consumer = ? AND feed = ? FOR UPDATE";
constexpr char kFindInInbox[] = "SELECT 1 FROM event_inbox WHERE consumer = ? AND event_id = ?";
constexpr char kAddToInbox[] =
    "INSERT INTO event_inbox (consumer, event_id, feed, sequence, apply_time) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr char kAdvanceCursor[] =
    "UPDATE event_cursors SET sequence = ?, update_time = ? WHERE consumer = ? AND feed = ?";
constexpr char kSetCursor[] =
    "UPDATE event_cursors SET sequence = ?, epoch = epoch + 1, update_time = ? "
    "WHERE consumer = ? AND feed = ?";
constexpr char kSetCursorForward[] =
    "UPDATE event_cursors SET sequence = GREATEST(sequence, ?), epoch = epoch + 1, "
    "update_time = ? WHERE consumer = ? AND feed = ?";
constexpr char kClearInbox[] = "DELETE FROM event_inbox WHERE consumer = ? AND feed = ?";

constexpr size_t kMaxName = 64;

absl::Status CursorMoved() {
  return Error(absl::StatusCode::kAborted, "CURSOR_MOVED",
               "the cursor was moved by an operator while the stream was open");
}

absl::Status FeedNotFound(std::string_view name) {
  return Error(absl::StatusCode::kNotFound, "FEED_NOT_FOUND",
               absl::StrCat("the consumer follows no feed named \"", std::string(name), "\""));
}

bool IsCursorExpired(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange && ErrorReason(status) == "CURSOR_EXPIRED";
}

}  // namespace

absl::Status EventHandler::Reset(db::Transaction&, std::string_view) { return absl::OkStatus(); }

std::string_view FeedStateName(FeedState state) {
  switch (state) {
    case FeedState::kConnecting:
      return "connecting";
    case FeedState::kStreaming:
      return "streaming";
    case FeedState::kCursorExpired:
      return "cursor_expired";
    case FeedState::kStopped:
      return "stopped";
  }
  return "unknown";
}

struct Consumer::Feed {
  FeedSource source;
  std::unique_ptr<v1::EventFeed::Stub> stub;
  std::thread thread;
  std::mt19937_64 random{std::random_device{}()};

  prometheus::Gauge* lag_events = nullptr;
  prometheus::Gauge* lag_seconds = nullptr;
  prometheus::Gauge* last_event = nullptr;
  prometheus::Counter* applied = nullptr;
  prometheus::Gauge* connected = nullptr;
  prometheus::Gauge* cursor_expired = nullptr;

  // Guarded by Consumer::mu_.
  FeedStatus status;
  grpc::ClientContext* context = nullptr;  // the open stream's, so it can be cancelled
  int64_t epoch = 0;                       // the cursor row's epoch when the last stream opened
  bool wake = false;                       // the cursor was moved: reconnect now, without backoff
};

Consumer::Consumer(db::Pool& pool, EventHandler& handler, ConsumerOptions options)
    : pool_(pool), handler_(handler), options_(std::move(options)) {
  prometheus::Family<prometheus::Gauge>* lag_events = nullptr;
  prometheus::Family<prometheus::Gauge>* lag_seconds = nullptr;
  prometheus::Family<prometheus::Gauge>* last_event = nullptr;
  prometheus::Family<prometheus::Counter>* applied = nullptr;
  prometheus::Family<prometheus::Gauge>* connected = nullptr;
  prometheus::Family<prometheus::Gauge>* cursor_expired = nullptr;
  if (options_.metrics != nullptr) {
    prometheus::Registry& registry = *options_.metrics;
    lag_events = &prometheus::BuildGauge()
                      .Name("crm_events_consumer_lag_events")
                      .Help(
                          "Sequences between the last event applied and the producer's head "
                          "when it was fetched")
                      .Register(registry);
    lag_seconds = &prometheus::BuildGauge()
                       .Name("crm_events_consumer_lag_seconds")
                       .Help(
                           "Age of the last event applied when it was applied (0 once "
                           "caught up with the head)")
                       .Register(registry);
    last_event = &prometheus::BuildGauge()
                      .Name("crm_events_consumer_last_event_timestamp_seconds")
                      .Help(
                          "When the last event applied happened (Unix seconds): time() minus "
                          "this keeps growing while the consumer is stuck or disconnected")
                      .Register(registry);
    applied = &prometheus::BuildCounter()
                   .Name("crm_events_consumer_applied_total")
                   .Help("Events applied (each exactly once)")
                   .Register(registry);
    connected = &prometheus::BuildGauge()
                     .Name("crm_events_consumer_connected")
                     .Help("1 while a stream to the feed is open")
                     .Register(registry);
    cursor_expired = &prometheus::BuildGauge()
                          .Name("crm_events_consumer_cursor_expired")
                          .Help(
                              "1 when the feed stopped because its cursor is older than the "
                              "producer's retention: an operator must rewind or skip")
                          .Register(registry);
  }
  for (const FeedSource& source : options_.feeds) {
    auto feed = std::make_unique<Feed>();
    feed->source = source;
    if (source.channel != nullptr) feed->stub = v1::EventFeed::NewStub(source.channel);
    if (options_.metrics != nullptr) {
      const prometheus::Labels labels = {{"consumer", options_.consumer}, {"feed", source.name}};
      feed->lag_events = &lag_events->Add(labels);
      feed->lag_seconds = &lag_seconds->Add(labels);
      feed->last_event = &last_event->Add(labels);
      feed->applied = &applied->Add(labels);
      feed->connected = &connected->Add(labels);
      feed->cursor_expired = &cursor_expired->Add(labels);
    }
    feeds_.push_back(std::move(feed));
  }
}

Consumer::~Consumer() { Stop(); }

std::vector<std::string> Consumer::FeedNames() const {
  std::vector<std::string> names;
  for (const auto& feed : feeds_) names.push_back(feed->source.name);
  return names;
}

Consumer::Feed* Consumer::Find(std::string_view name) const {
  for (const auto& feed : feeds_) {
    if (feed->source.name == name) return feed.get();
  }
  return nullptr;
}

absl::Status Consumer::Start() {
  Violations violations;
  if (options_.consumer.empty() || options_.consumer.size() > kMaxName) {
    violations.Add("consumer", "must be 1-64 characters");
  }
  if (options_.feeds.empty()) violations.Add("feeds", "name at least one feed to follow");
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < options_.feeds.size(); ++i) {
    const FeedSource& source = options_.feeds[i];
    if (source.name.empty() || source.name.size() > kMaxName) {
      violations.Add(absl::StrCat("feeds[", i, "].name"), "must be 1-64 characters");
    } else if (!names.insert(source.name).second) {
      violations.Add(absl::StrCat("feeds[", i, "].name"), "is used by another feed");
    }
    if (source.channel == nullptr) {
      violations.Add(absl::StrCat("feeds[", i, "].channel"), "is required");
    }
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("the event consumer's options are invalid"));
  {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::FailedPreconditionError("the consumer was started already");
  }

  {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool_.Borrow());
    const std::string now = db::FormatDateTime(options_.clock->Now());
    for (const auto& feed : feeds_) {
      CRM_RETURN_IF_ERROR(
          session->Execute(kEnsureCursor, {options_.consumer, feed->source.name, now}).status());
      CRM_ASSIGN_OR_RETURN(db::Rows rows,
                           session->Query(kReadCursor, {options_.consumer, feed->source.name}));
      absl::MutexLock lock(&mu_);
      if (!rows.empty()) feed->status.cursor = rows[0].Int(0);
    }
  }

  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) {
    return absl::FailedPreconditionError("the consumer was started already");
  }
  started_ = true;
  for (const auto& feed : feeds_) {
    Feed* f = feed.get();
    f->thread = std::thread([this, f] { Run(*f); });
  }
  return absl::OkStatus();
}

void Consumer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (const auto& feed : feeds_) {
      if (feed->context != nullptr) feed->context->TryCancel();
    }
  }
  for (const auto& feed : feeds_) {
    if (feed->thread.joinable()) feed->thread.join();
  }
  absl::MutexLock lock(&mu_);
  for (const auto& feed : feeds_) SetState(*feed, FeedState::kStopped);
}

void Consumer::SetState(Feed& feed, FeedState state) {
  // A stopped-by-expiry feed stays so until an operator moves its cursor (not by Stop).
  if (feed.status.state == FeedState::kCursorExpired && state == FeedState::kStopped) return;
  feed.status.state = state;
  if (feed.connected != nullptr) feed.connected->Set(state == FeedState::kStreaming ? 1 : 0);
  if (feed.cursor_expired != nullptr) {
    feed.cursor_expired->Set(state == FeedState::kCursorExpired ? 1 : 0);
  }
}

void Consumer::Run(Feed& feed) {
  const std::string& name = feed.source.name;
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    if (!AwaitOperator(feed)) return;
    int64_t applied_before;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      feed.wake = false;
      applied_before = feed.status.applied;
      SetState(feed, FeedState::kConnecting);
    }
    const absl::Status ended = Follow(feed);

    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    // An operator moved the cursor, here or on another replica: reconnect from it at once.
    if (feed.wake || ErrorReason(ended) == "CURSOR_MOVED") {
      backoff = options_.initial_backoff;
      continue;
    }
    feed.status.last_error = ended;
    if (IsCursorExpired(ended)) {
      int64_t earliest = 0;
      (void)absl::SimpleAtoi(ErrorMetadata(ended, "earliest_sequence"), &earliest);
      feed.status.earliest_sequence = earliest;
      SetState(feed, FeedState::kCursorExpired);
      log::Error(
          "event feed stopped: its cursor is older than the producer's retention; rewind the "
          "feed to rebuild, or skip to the earliest sequence to accept the loss",
          {{"consumer", options_.consumer},
           {"feed", name},
           {"cursor", absl::StrCat(feed.status.cursor)},
           {"earliest_sequence", absl::StrCat(earliest)}});
      continue;
    }
    if (feed.status.applied > applied_before) backoff = options_.initial_backoff;
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const absl::Duration delay = backoff * jitter(feed.random);
    backoff = std::min(backoff * 2, options_.max_backoff);
    log::Warn("event feed stream ended; reconnecting", {{"consumer", options_.consumer},
                                                        {"feed", name},
                                                        {"error", ended.ToString()},
                                                        {"retry_in", absl::FormatDuration(delay)}});
    auto woken = [this, &feed]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || feed.wake; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), delay);
    if (stopping_) return;
  }
}

bool Consumer::AwaitOperator(Feed& feed) {
  while (true) {
    int64_t expired_epoch;
    {
      absl::MutexLock lock(&mu_);
      auto resumable = [this, &feed]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || feed.status.state != FeedState::kCursorExpired;
      };
      // Woken at once by this process's Rewind or SkipToEarliest; another replica's shows
      // up in the cursor row, looked at every max_backoff.
      mu_.AwaitWithTimeout(absl::Condition(&resumable), options_.max_backoff);
      if (stopping_) return false;
      if (feed.status.state != FeedState::kCursorExpired) return true;
      expired_epoch = feed.epoch;
    }
    absl::StatusOr<std::unique_ptr<db::Session>> session = pool_.Borrow();
    if (!session.ok()) continue;
    absl::StatusOr<db::Rows> rows =
        (*session)->Query(kReadCursor, {options_.consumer, feed.source.name});
    if (!rows.ok() || rows->empty() || (*rows)[0].Int(1) == expired_epoch) continue;
    absl::MutexLock lock(&mu_);
    if (feed.status.state == FeedState::kCursorExpired) {
      log::Info("event feed resumed: its cursor was moved by another replica",
                {{"consumer", options_.consumer}, {"feed", feed.source.name}});
      feed.status.earliest_sequence = 0;
      SetState(feed, FeedState::kConnecting);
    }
    return !stopping_;
  }
}

absl::Status Consumer::Follow(Feed& feed) {
  int64_t cursor = 0;
  int64_t epoch = 0;
  {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool_.Borrow());
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         session->Query(kReadCursor, {options_.consumer, feed.source.name}));
    if (rows.empty()) return absl::InternalError("the feed's cursor row is missing");
    cursor = rows[0].Int(0);
    epoch = rows[0].Int(1);
  }

  // One trace per subscription: the producer's log lines about this stream and this
  // consumer's about what it applied from it share a trace id.
  log::ScopedTrace trace(NewTrace());
  grpc::ClientContext ctx;
  PropagateTrace(ctx);
  if (options_.credentials != nullptr) ctx.set_credentials(options_.credentials);
  v1::SubscribeRequest request;
  request.set_after_sequence(cursor);
  request.set_batch_size(options_.batch_size);
  for (const std::string& type : feed.source.types) request.add_types(type);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || feed.wake) return CursorMoved();
    feed.context = &ctx;
    feed.epoch = epoch;
    feed.status.cursor = cursor;
    SetState(feed, FeedState::kStreaming);
  }

  std::unique_ptr<grpc::ClientReader<v1::Event>> reader = feed.stub->Subscribe(&ctx, request);
  v1::Event event;
  absl::Status failure;
  while (reader->Read(&event)) {
    bool applied = false;
    failure = ApplyOne(feed, epoch, event, &applied);
    if (!failure.ok()) {
      ctx.TryCancel();
      v1::Event rest;  // `event` is the one that failed, for the log below
      while (reader->Read(&rest)) {
      }
      break;
    }
    const int64_t behind = std::max<int64_t>(0, event.head_sequence() - event.sequence());
    if (feed.lag_events != nullptr) {
      feed.lag_events->Set(static_cast<double>(behind));
      // A progress marker has no time of its own: the age gauges keep the last event's.
      if (!IsProgressMarker(event)) {
        const absl::Time happened = FromTimestamp(event.time());
        feed.lag_seconds->Set(
            behind == 0 ? 0
                        : std::max(0.0, absl::ToDoubleSeconds(options_.clock->Now() - happened)));
        feed.last_event->Set(absl::ToDoubleSeconds(happened - absl::UnixEpoch()));
      }
      if (applied) feed.applied->Increment();
    }
    absl::MutexLock lock(&mu_);
    feed.status.cursor = std::max(feed.status.cursor, event.sequence());
    feed.status.head_sequence = event.head_sequence();
    if (applied) ++feed.status.applied;
  }
  const grpc::Status finished = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    feed.context = nullptr;
    SetState(feed, FeedState::kConnecting);
  }
  if (!failure.ok()) {
    log::Warn("applying an event failed; it will be retried", {{"consumer", options_.consumer},
                                                               {"feed", feed.source.name},
                                                               {"event", event.id()},
                                                               {"error", failure.ToString()}});
    return failure;
  }
  if (finished.ok()) return absl::UnavailableError("the producer ended the stream");
  return FromGrpcStatus(finished);
}

absl::Status Consumer::ApplyOne(Feed& feed, int64_t epoch, const v1::Event& event, bool* applied) {
  const std::string& name = feed.source.name;
  return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    *applied = false;
    CRM_ASSIGN_OR_RETURN(db::Rows cursor, tx.Query(kLockCursor, {options_.consumer, name}));
    if (cursor.empty()) return absl::InternalError("the feed's cursor row is missing");
    if (cursor[0].Int(1) != epoch) return CursorMoved();
    // Another replica (or this one, before a reconnect) got here first.
    if (event.sequence() <= cursor[0].Int(0)) return absl::OkStatus();
    const std::string now = db::FormatDateTime(options_.clock->Now());
    // A progress marker of a filtered stream: nothing to apply, only the cursor moves.
    if (IsProgressMarker(event)) {
      return tx.Execute(kAdvanceCursor, {event.sequence(), now, options_.consumer, name}).status();
    }
    CRM_ASSIGN_OR_RETURN(db::Rows seen, tx.Query(kFindInInbox, {options_.consumer, event.id()}));
    if (seen.empty()) {
      CRM_RETURN_IF_ERROR(handler_.Apply(tx, event));
      CRM_RETURN_IF_ERROR(
          tx.Execute(kAddToInbox, {options_.consumer, event.id(), name, event.sequence(), now})
              .status());
      *applied = true;
    }
    return tx.Execute(kAdvanceCursor, {event.sequence(), now, options_.consumer, name}).status();
  });
}

absl::Status Consumer::MoveCursor(Feed& feed, int64_t sequence, bool forward_only,
                                  const std::function<absl::Status(db::Transaction&)>& extra) {
  const std::string& name = feed.source.name;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    const std::string now = db::FormatDateTime(options_.clock->Now());
    CRM_RETURN_IF_ERROR(tx.Execute(kEnsureCursor, {options_.consumer, name, now}).status());
    // Waits for an event being applied; after this commits, a stream opened before sees a
    // new epoch and stops applying.
    CRM_RETURN_IF_ERROR(tx.Query(kLockCursor, {options_.consumer, name}).status());
    if (extra) CRM_RETURN_IF_ERROR(extra(tx));
    return tx
        .Execute(forward_only ? kSetCursorForward : kSetCursor,
                 {sequence, now, options_.consumer, name})
        .status();
  }));
  absl::MutexLock lock(&mu_);
  feed.wake = true;
  feed.status.cursor = forward_only ? std::max(feed.status.cursor, sequence) : sequence;
  feed.status.earliest_sequence = 0;
  if (feed.status.state == FeedState::kCursorExpired) SetState(feed, FeedState::kConnecting);
  if (feed.context != nullptr) feed.context->TryCancel();
  return absl::OkStatus();
}

absl::Status Consumer::Rewind(std::string_view name) {
  Feed* feed = Find(name);
  if (feed == nullptr) return FeedNotFound(name);
  CRM_RETURN_IF_ERROR(
      MoveCursor(*feed, 0, /*forward_only=*/false, [&](db::Transaction& tx) -> absl::Status {
        CRM_RETURN_IF_ERROR(handler_.Reset(tx, feed->source.name));
        return tx.Execute(kClearInbox, {options_.consumer, feed->source.name}).status();
      }));
  log::Warn("event feed rewound to the beginning",
            {{"consumer", options_.consumer}, {"feed", feed->source.name}});
  return absl::OkStatus();
}

absl::Status Consumer::SkipToEarliest(std::string_view name) {
  Feed* feed = Find(name);
  if (feed == nullptr) return FeedNotFound(name);
  int64_t cursor, earliest;
  {
    absl::MutexLock lock(&mu_);
    if (feed->status.state != FeedState::kCursorExpired || feed->status.earliest_sequence <= 0) {
      return Error(absl::StatusCode::kFailedPrecondition, "CURSOR_NOT_EXPIRED",
                   "only a feed stopped because its cursor expired can skip to the earliest "
                   "sequence");
    }
    cursor = feed->status.cursor;
    earliest = feed->status.earliest_sequence;
  }
  CRM_RETURN_IF_ERROR(MoveCursor(*feed, earliest - 1, /*forward_only=*/true, nullptr));
  log::Warn("event feed skipped events lost to the producer's retention",
            {{"consumer", options_.consumer},
             {"feed", feed->source.name},
             {"lost_after", absl::StrCat(cursor)},
             {"resumed_after", absl::StrCat(earliest - 1)}});
  return absl::OkStatus();
}

absl::StatusOr<FeedStatus> Consumer::GetStatus(std::string_view name) const {
  Feed* feed = Find(name);
  if (feed == nullptr) return FeedNotFound(name);
  absl::MutexLock lock(&mu_);
  return feed->status;
}

}  // namespace crm::events
