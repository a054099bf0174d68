#include "libs/events/feed.h"

#include <grpcpp/alarm.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/grpc/trace.h"
#include "libs/log/log.h"

namespace crm::events {
namespace {

// The call's one `authorization` value ("" when it has none). Two or more are refused: which
// one a checker would read is not something to leave to chance.
absl::StatusOr<std::string> SingleAuthorization(const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  auto [first, last] = metadata.equal_range("authorization");
  if (first == last) return std::string();
  if (std::next(first) != last) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED",
                 "the call has more than one authorization header");
  }
  return std::string(first->second.data(), first->second.size());
}

constexpr char kReadAfter[] =
    "SELECT sequence, event_type, resource, payload, request_id, create_time, actor, "
    "changed_paths FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?";
// Read after the rows (feed.h, "Retention"): the pruning horizon and the head.
constexpr char kReadBounds[] =
    "SELECT (SELECT pruned_through FROM outbox_horizon WHERE id = 1), "
    "(SELECT MAX(sequence) FROM outbox)";
constexpr char kReadHead[] = "SELECT MAX(sequence) FROM outbox";
constexpr char kReadFirstAfter[] =
    "SELECT create_time FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT 1";

constexpr int kDefaultBatch = 100;
constexpr int kMaxBatch = 1000;
constexpr int kMaxTypes = 50;
constexpr size_t kMaxTypeLength = 128;

using TypeFilter = absl::flat_hash_set<std::string>;  // empty: every type

// What one fetch found: the events to send now (deliverable and matching the filter), the
// last deliverable sequence whether sent or filtered out (0 when none), and whether more
// are probably waiting (a full batch, no gap), in which case the stream fetches again at
// once instead of waiting a poll interval.
struct Batch {
  std::vector<v1::Event> events;
  int64_t last_read = 0;
  bool more = false;
};

absl::Status CursorExpired(int64_t cursor, int64_t pruned_through) {
  const int64_t earliest = pruned_through + 1;
  return WithErrorMetadata(
      Error(absl::StatusCode::kOutOfRange, "CURSOR_EXPIRED",
            absl::StrCat("events after sequence ", cursor, " up to ", pruned_through,
                         " were deleted by the feed's retention; the earliest still available "
                         "is ",
                         earliest, " (subscribe after ", pruned_through,
                         " to accept the loss, or rebuild from another source)")),
      "earliest_sequence", absl::StrCat(earliest));
}

absl::StatusOr<Batch> ReadBatch(db::Pool& pool, int64_t cursor, int limit, const TypeFilter& types,
                                const std::string& id_prefix, absl::Duration gap_grace) {
  db::Rows rows;
  int64_t pruned_through = 0;
  int64_t head = 0;
  {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool.Borrow());
    CRM_ASSIGN_OR_RETURN(rows, session->Query(kReadAfter, {cursor, int64_t{limit}}));
    CRM_ASSIGN_OR_RETURN(db::Rows bounds, session->Query(kReadBounds, {}));
    if (!bounds.empty()) {
      pruned_through = bounds[0].Int(0);
      head = bounds[0].Int(1);
    }
  }  // the connection goes back to the pool before the events are built and written
  if (pruned_through > cursor) return CursorExpired(cursor, pruned_through);
  if (!rows.empty()) head = std::max(head, rows.back().Int(0));

  std::vector<FeedPosition> positions;
  positions.reserve(rows.size());
  for (const db::Row& row : rows) {
    CRM_ASSIGN_OR_RETURN(absl::Time created, db::ParseDateTime(row.Str(5)));
    positions.push_back({row.Int(0), created});
  }
  const size_t deliverable = DeliverablePrefix(cursor, positions, absl::Now(), gap_grace);

  Batch batch;
  batch.more = deliverable == rows.size() && rows.size() == static_cast<size_t>(limit);
  if (deliverable > 0) batch.last_read = positions[deliverable - 1].sequence;
  for (size_t i = 0; i < deliverable; ++i) {
    const db::Row& row = rows[i];
    if (!types.empty() && !types.contains(row.Str(1))) continue;
    v1::Event& event = batch.events.emplace_back();
    event.set_sequence(positions[i].sequence);
    event.set_id(absl::StrCat(id_prefix, "/", positions[i].sequence));
    event.set_type(row.Str(1));
    event.set_resource(row.Str(2));
    *event.mutable_time() = ToTimestamp(positions[i].create_time);
    if (!event.mutable_payload()->ParseFromString(row.Str(3))) {
      // Skipping it would lose the event silently; stopping makes the damage visible.
      return Error(absl::StatusCode::kDataLoss, "CORRUPT_EVENT",
                   absl::StrCat("event ", positions[i].sequence, " has an unreadable payload"));
    }
    event.set_request_id(row.Str(4));
    event.set_actor(row.Str(6));
    if (!row.Str(7).empty()) {
      for (absl::string_view path : absl::StrSplit(row.Str(7), '\n')) {
        event.add_changed_paths(std::string(path));
      }
    }
    event.set_head_sequence(head);
  }
  // A filtered stream tells the subscriber how far it has read, so a consumer's cursor moves
  // past events it does not want instead of re-reading them on every reconnect (and falling
  // behind the retention horizon while the types it wants are rare).
  if (!types.empty() && batch.last_read > 0 &&
      (batch.events.empty() || batch.events.back().sequence() < batch.last_read)) {
    v1::Event& progress = batch.events.emplace_back();
    progress.set_sequence(batch.last_read);
    progress.set_head_sequence(head);
  }
  return batch;
}

// A Subscribe's type filter, or its violations.
TypeFilter ReadTypes(const v1::SubscribeRequest& request, Violations& violations) {
  TypeFilter types;
  if (request.types_size() > kMaxTypes) {
    violations.Add("types", absl::StrCat("at most ", kMaxTypes, " event types"));
    return types;
  }
  for (int i = 0; i < request.types_size(); ++i) {
    const std::string& type = request.types(i);
    if (type.empty() || type.size() > kMaxTypeLength) {
      violations.Add(
          absl::StrCat("types[", i, "]"),
          absl::StrCat("must be an event type name of 1-", kMaxTypeLength, " characters"));
      continue;
    }
    types.insert(type);
  }
  return types;
}

FeedOptions Sanitized(FeedOptions options) {
  options.poll_interval = std::max(options.poll_interval, absl::Milliseconds(1));
  options.gap_grace = std::max(options.gap_grace, absl::ZeroDuration());
  options.max_batch = std::clamp(options.max_batch, 1, kMaxBatch);
  options.backlog_interval = std::max(options.backlog_interval, absl::Milliseconds(1));
  return options;
}

}  // namespace

size_t DeliverablePrefix(int64_t cursor, const std::vector<FeedPosition>& rows, absl::Time now,
                         absl::Duration gap_grace) {
  size_t count = 0;
  int64_t expected = cursor + 1;
  for (const FeedPosition& row : rows) {
    // A younger row after a gap may be overtaking a transaction that has not committed yet.
    if (row.sequence != expected && now - row.create_time < gap_grace) break;
    expected = row.sequence + 1;
    ++count;
  }
  return count;
}

// One Subscribe call. The call moves through one step at a time: a fetch on the executor,
// the writes of what it found (one StartWrite per OnWriteDone), then either another fetch
// or a poll alarm. End() may come from any thread at any moment (client cancel, Drain, a
// fetch error); after it no StartWrite or Finish is started.
//
// Lifetime: gRPC calls OnDone once the call is over, but a fetch or an alarm callback may
// still be pending then. `work_` counts those (and Drain's holds); the stream is deleted
// by EventFeedService::Settle when the call is done and no work is left. Every method runs
// either inside a gRPC reaction (OnDone cannot happen meanwhile) or while holding work.
//
// gRPC methods (StartWrite, Finish, Alarm::Set/Cancel) are never called with mu_ held: they
// may run reactions inline, and those take mu_.
class EventFeedService::Stream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  Stream(EventFeedService& feed, std::string authorization, int64_t cursor, int batch_size,
         TypeFilter types, std::string request_id, log::TraceContext trace)
      : feed_(feed),
        authorization_(std::move(authorization)),
        request_id_(std::move(request_id)),
        trace_(std::move(trace)),
        batch_size_(batch_size),
        types_(std::move(types)),
        cursor_(cursor) {}

  void Start() { SubmitFetch(); }

  // Finishes the call with `status` unless it is already ending; a write in flight is let
  // complete first.
  void End(grpc::Status status) {
    bool finish_now = false;
    grpc::Alarm* cancel = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      ending_ = true;
      ready_.clear();
      if (write_in_flight_) {
        deferred_finish_ = std::move(status);
      } else {
        finish_now = true;
      }
      if (alarm_state_ == AlarmState::kArmed) {
        alarm_state_ = AlarmState::kCancelling;
        cancel = alarm_.get();
      }
    }
    // Cancelling first: the callback then runs with ok=false at once instead of a poll
    // interval later, which is what lets the stream be deleted promptly.
    if (cancel != nullptr) cancel->Cancel();
    if (finish_now) Finish(std::move(status));
  }

  // Keeps the stream alive while Drain() works on it; undone by Settle(..., true).
  void Hold() {
    absl::MutexLock lock(&mu_);
    ++work_;
  }

  // The last sequence this stream has fetched, sent or filtered out: where the backlog
  // gauges measure from.
  int64_t position() {
    absl::MutexLock lock(&mu_);
    return cursor_;
  }

  // Returns true when the stream may be deleted.
  bool Settle(bool call_done, bool work_ended) {
    absl::MutexLock lock(&mu_);
    if (call_done) call_done_ = true;
    if (work_ended) --work_;
    return call_done_ && work_ == 0;
  }

  void OnWriteDone(bool ok) override {
    bool ending;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      write_in_flight_ = false;
      ending = ending_;
      if (ending) finish = std::exchange(deferred_finish_, std::nullopt);
    }
    if (ending) {
      if (finish.has_value()) Finish(*std::move(finish));
      return;
    }
    if (!ok) {
      End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke"));
      return;
    }
    if (feed_.metrics_.delivered != nullptr) feed_.metrics_.delivered->Increment();
    WriteNextOrWait();
  }

  void OnCancel() override { End(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled")); }

  void OnDone() override { feed_.Settle(this, /*call_done=*/true, /*work_ended=*/false); }

 private:
  enum class AlarmState { kIdle, kSetting, kArmed, kCancelling };

  void SubmitFetch() {
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      ++work_;
    }
    feed_.executor_.Submit([this] {
      Fetch();
      feed_.Settle(this, /*call_done=*/false, /*work_ended=*/true);
    });
  }

  // Runs on the executor.
  void Fetch() {
    log::ScopedRequestId scoped(request_id_);
    log::ScopedTrace trace(trace_);
    int64_t cursor;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      cursor = cursor_;
    }
    // The caller is checked again before every read, not only when the stream opened: a
    // token that has expired or whose session was revoked (logout, disabled user) stops the
    // stream at its next poll.
    if (feed_.authorize_) {
      if (absl::Status allowed = feed_.authorize_(authorization_); !allowed.ok()) {
        End(ToGrpcStatus(allowed, feed_.id_prefix_));
        return;
      }
    }
    absl::StatusOr<Batch> batch = ReadBatch(feed_.pool_, cursor, batch_size_, types_,
                                            feed_.id_prefix_, feed_.options_.gap_grace);
    if (!batch.ok()) {
      if (batch.status().code() == absl::StatusCode::kOutOfRange) {
        log::Warn("event feed cursor expired", {{"error", batch.status().ToString()}});
      } else {
        log::Warn("event feed read failed", {{"error", batch.status().ToString()}});
      }
      End(ToGrpcStatus(batch.status(), feed_.id_prefix_));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      if (batch->last_read > 0) cursor_ = batch->last_read;
      for (v1::Event& event : batch->events) ready_.push_back(std::move(event));
      fetch_again_now_ = batch->more;
    }
    feed_.MaybeMeasureBacklog();
    feed_.fetches_.fetch_add(1);
    WriteNextOrWait();
  }

  void WriteNextOrWait() {
    bool write = false;
    bool fetch = false;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      if (!ready_.empty()) {
        writing_ = std::move(ready_.front());
        ready_.pop_front();
        write_in_flight_ = true;
        write = true;
      } else {
        fetch = fetch_again_now_;
      }
    }
    if (write) {
      StartWrite(&writing_);
    } else if (fetch) {
      SubmitFetch();
    } else {
      WaitThenFetch();
    }
  }

  void WaitThenFetch() {
    grpc::Alarm* alarm;
    uint64_t generation;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      ++work_;
      // A fresh alarm each time: the previous one has fired, and a new object sidesteps any
      // question about re-arming one whose callback may still be returning.
      alarm_ = std::make_unique<grpc::Alarm>();
      alarm = alarm_.get();
      generation = ++alarm_generation_;
      alarm_state_ = AlarmState::kSetting;
    }
    alarm->Set(
        std::chrono::system_clock::now() + absl::ToChronoMicroseconds(feed_.options_.poll_interval),
        [this](bool ok) { OnAlarm(ok); });
    bool cancel = false;
    {
      absl::MutexLock lock(&mu_);
      // Only if the alarm has neither fired nor been replaced in the meantime.
      if (generation == alarm_generation_ && alarm_state_ == AlarmState::kSetting) {
        if (ending_) {
          alarm_state_ = AlarmState::kCancelling;  // End() saw kSetting and left it to us
          cancel = true;
        } else {
          alarm_state_ = AlarmState::kArmed;
        }
      }
    }
    if (cancel) alarm->Cancel();
  }

  void OnAlarm(bool ok) {
    bool ending;
    {
      absl::MutexLock lock(&mu_);
      alarm_state_ = AlarmState::kIdle;
      ending = ending_;
    }
    if (!ending) {
      if (ok) {
        SubmitFetch();
      } else {
        // Not cancelled by us, so gRPC itself is shutting down.
        End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
      }
    }
    feed_.Settle(this, /*call_done=*/false, /*work_ended=*/true);
  }

  EventFeedService& feed_;
  // The call's credentials, copied: the context may be gone by the time a fetch re-checks.
  const std::string authorization_;
  const std::string request_id_;
  const log::TraceContext trace_;  // the subscriber's trace: every fetch logs with it
  const int batch_size_;
  const TypeFilter types_;
  // The message being written. Touched only by the single write chain (WriteNextOrWait,
  // then gRPC until OnWriteDone), so it needs no lock.
  v1::Event writing_;

  absl::Mutex mu_;
  // The last sequence fetched: handed to the write chain, or filtered out.
  int64_t cursor_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::Event> ready_ ABSL_GUARDED_BY(mu_);
  bool fetch_again_now_ ABSL_GUARDED_BY(mu_) = false;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool ending_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> deferred_finish_ ABSL_GUARDED_BY(mu_);
  bool call_done_ ABSL_GUARDED_BY(mu_) = false;
  int work_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<grpc::Alarm> alarm_ ABSL_GUARDED_BY(mu_);
  uint64_t alarm_generation_ ABSL_GUARDED_BY(mu_) = 0;
  AlarmState alarm_state_ ABSL_GUARDED_BY(mu_) = AlarmState::kIdle;
};

EventFeedService::EventFeedService(db::Pool& pool, Executor& executor, std::string id_prefix,
                                   FeedAuthorizer authorize, FeedOptions options)
    : pool_(pool),
      executor_(executor),
      id_prefix_(std::move(id_prefix)),
      authorize_(std::move(authorize)),
      options_(Sanitized(options)),
      metrics_(RegisterMetrics(options.metrics)) {}

EventFeedService::Metrics EventFeedService::RegisterMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return {};
  auto gauge = [registry](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(*registry).Add({});
  };
  return {
      .open_streams = gauge("crm_events_open_streams", "Event feed streams open on this replica"),
      .delivered = &prometheus::BuildCounter()
                        .Name("crm_events_delivered_total")
                        .Help("Events written to feed streams (each delivery, so a replayed "
                              "event counts again)")
                        .Register(*registry)
                        .Add({}),
      .pending_rows = gauge("crm_events_outbox_pending_rows",
                            "Outbox sequences after the slowest open stream's position on this "
                            "replica (gaps included; 0 with no stream open)"),
      .oldest_undelivered_seconds =
          gauge("crm_events_oldest_undelivered_seconds",
                "Age of the oldest outbox row after the slowest open stream's position on this "
                "replica (0 when none or no stream open)"),
  };
}

EventFeedService::EventFeedService(db::Pool& pool, Executor& executor, std::string id_prefix,
                                   FeedOptions options, FeedAuthorizer authorize)
    : EventFeedService(pool, executor, std::move(id_prefix), std::move(authorize), options) {}

EventFeedService::~EventFeedService() {
  absl::MutexLock lock(&mu_);
  auto all_gone = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return streams_.empty(); };
  mu_.Await(absl::Condition(&all_gone));
}

grpc::ServerWriteReactor<v1::Event>* EventFeedService::Subscribe(
    grpc::CallbackServerContext* ctx, const v1::SubscribeRequest* request) {
  // Before anything else: a caller who may not read the feed learns nothing from it, not
  // even whether their request was well formed.
  absl::StatusOr<std::string> authorization = SingleAuthorization(*ctx);
  absl::Status allowed = !authorization.ok() ? authorization.status()
                         : authorize_
                             ? authorize_(*authorization)
                             : Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                                     "this event feed has no access rule, so nobody may read it");
  Violations violations;
  TypeFilter types = ReadTypes(*request, violations);
  if (request->after_sequence() < 0) {
    violations.Add("after_sequence", "must be 0 (the beginning) or a sequence seen before");
  }
  if (request->batch_size() < 0) {
    violations.Add("batch_size", "must be 0 (the default, 100) or positive");
  }
  const int batch_size = request->batch_size() == 0
                             ? std::min(kDefaultBatch, options_.max_batch)
                             : std::min(request->batch_size(), options_.max_batch);

  auto* stream = new Stream(*this, *std::move(authorization), request->after_sequence(), batch_size,
                            std::move(types), RequestIdOf(*ctx), TraceOf(*ctx));
  bool draining;
  {
    absl::MutexLock lock(&mu_);
    streams_.insert(stream);
    PublishStreamCount();
    draining = draining_;
  }
  if (!allowed.ok()) {
    stream->End(ToGrpcStatus(allowed, id_prefix_));
  } else if (!violations.empty()) {
    stream->End(ToGrpcStatus(violations.ToStatus(), id_prefix_));
  } else if (draining) {
    stream->End(ToGrpcStatus(
        Error(absl::StatusCode::kUnavailable, "SERVER_DRAINING", "the server is shutting down"),
        id_prefix_));
  } else {
    stream->Start();
  }
  return stream;
}

void EventFeedService::Drain() {
  std::vector<Stream*> held;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    held.reserve(streams_.size());
    for (Stream* stream : streams_) {
      stream->Hold();
      held.push_back(stream);
    }
  }
  const grpc::Status status = ToGrpcStatus(
      Error(absl::StatusCode::kUnavailable, "SERVER_DRAINING", "the server is shutting down"),
      id_prefix_);
  for (Stream* stream : held) {
    stream->End(status);
    Settle(stream, /*call_done=*/false, /*work_ended=*/true);
  }
}

int EventFeedService::open_streams() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

void EventFeedService::Settle(Stream* stream, bool call_done, bool work_ended) {
  bool finished;
  {
    // Deciding and unregistering under mu_ keeps Drain() from holding a stream that is
    // about to be deleted.
    absl::MutexLock lock(&mu_);
    finished = stream->Settle(call_done, work_ended);
    if (finished) {
      streams_.erase(stream);
      PublishStreamCount();
    }
  }
  if (finished) delete stream;
}

void EventFeedService::PublishStreamCount() {
  if (metrics_.open_streams == nullptr) return;
  metrics_.open_streams->Set(static_cast<double>(streams_.size()));
  if (streams_.empty()) {
    // Nobody is reading from this replica, so nothing is waiting for delivery here.
    metrics_.pending_rows->Set(0);
    metrics_.oldest_undelivered_seconds->Set(0);
  }
}

void EventFeedService::MaybeMeasureBacklog() {
  if (metrics_.pending_rows == nullptr) return;
  const absl::Time now = absl::Now();
  int64_t due = next_backlog_check_micros_.load();
  if (absl::ToUnixMicros(now) < due) return;
  // One stream measures per interval; the others go on.
  if (!next_backlog_check_micros_.compare_exchange_strong(
          due, absl::ToUnixMicros(now + options_.backlog_interval))) {
    return;
  }
  std::optional<int64_t> slowest;
  {
    absl::MutexLock lock(&mu_);
    for (Stream* stream : streams_) {
      const int64_t position = stream->position();
      if (!slowest || position < *slowest) slowest = position;
    }
  }
  if (!slowest) return;
  absl::StatusOr<std::unique_ptr<db::Session>> session = pool_.Borrow();
  if (!session.ok()) return;  // the streams' own reads report the database
  absl::StatusOr<db::Rows> head = (*session)->Query(kReadHead, {});
  absl::StatusOr<db::Rows> first = (*session)->Query(kReadFirstAfter, {*slowest});
  if (!head.ok() || !first.ok() || head->empty()) return;
  const int64_t pending = std::max<int64_t>(0, (*head)[0].Int(0) - *slowest);
  double oldest_seconds = 0;
  if (!first->empty()) {
    if (absl::StatusOr<absl::Time> created = db::ParseDateTime((*first)[0].Str(0)); created.ok()) {
      oldest_seconds = std::max(0.0, absl::ToDoubleSeconds(absl::Now() - *created));
    }
  }
  absl::MutexLock lock(&mu_);
  if (streams_.empty()) return;  // the last stream left meanwhile and cleared the gauges
  metrics_.pending_rows->Set(static_cast<double>(pending));
  metrics_.oldest_undelivered_seconds->Set(oldest_seconds);
}

}  // namespace crm::events
