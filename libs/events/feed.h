// crm.events.v1.EventFeed over a service's `outbox` table (see outbox.h): a server stream
// that delivers the events after a consumer's cursor, then new ones as they commit.
//
// Contract (README.md has the consumer's side):
// - At least once, in sequence order. A consumer that reconnects with the last sequence it
//   processed as `after_sequence` misses nothing; it may see an event again if it stored
//   its cursor late, so consumers deduplicate by Event.id.
// - Delivery latency is about `poll_interval`: the table is polled, there is no push.
// - The visibility gap. AUTO_INCREMENT numbers are handed out at INSERT but transactions
//   commit in any order, so a reader can see 7 while 6 is still uncommitted. A consumer
//   that advanced its cursor past 7 would never see 6. The feed therefore delivers only the
//   contiguous run after the cursor; a row after a gap is held back until it is older than
//   `gap_grace` (by its create_time), because a rolled-back transaction leaves a gap that
//   never fills. An event whose transaction stays open longer than `gap_grace` after a later
//   one committed can be skipped, so gap_grace must exceed the longest write transaction
//   plus the clock skew between replicas.
// - A stream holds a database connection only while it fetches, never between polls, and
//   fetches run on the Executor, never on a gRPC reactor thread.
// - Access. The feed carries every record the service writes, so each Subscribe is first
//   passed to the service's `authorize` hook (e.g. a token and policy-table check with
//   libs/auth); its error finishes the stream before anything is read or validated.
// - Retention. events::Retention deletes old rows and moves the outbox's pruning horizon
//   in the same transaction. A stream whose cursor is below the horizon ends with
//   OUT_OF_RANGE (reason CURSOR_EXPIRED, ErrorInfo metadata "earliest_sequence"), whether
//   it opened there or fell behind while open: delivering what is left would skip events
//   without anyone noticing. The horizon is read after the rows, so a delete that lands
//   between the two reads is seen.
// - Type filter. SubscribeRequest.types limits what is sent, not what is read: the gap
//   rule still sees every sequence, and filtered-out events move the stream on without
//   being sent.
//
// Thread-safety: EventFeedService is thread-safe. Destroy it only after the server has shut
// down (its destructor waits until every stream it started has completed).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "libs/db/db.h"
#include "libs/grpc/executor.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace crm::events {

struct FeedOptions {
  // How long a stream that is caught up waits before it looks for new events.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // How long a row after a gap in the sequence is held back waiting for the gap to fill.
  absl::Duration gap_grace = absl::Seconds(2);
  // Upper bound for SubscribeRequest.batch_size (rows per fetch), at most 1000.
  int max_batch = 1000;
  // Where the feed's metrics go (README.md lists them); null: none. Register one feed per
  // registry.
  prometheus::Registry* metrics = nullptr;
  // How often the backlog gauges (pending rows, oldest undelivered event) are measured
  // while streams are open: by one of the streams' fetches, two indexed reads.
  absl::Duration backlog_interval = absl::Seconds(5);
};

// One outbox row as the gap rule sees it.
struct FeedPosition {
  int64_t sequence = 0;
  absl::Time create_time;
};

// The gap rule: how many of the leading `rows` (ascending sequences, all after `cursor`)
// may be delivered at `now`. A row that does not follow its predecessor directly is
// delivered only once it is older than `gap_grace`; everything after it waits with it.
size_t DeliverablePrefix(int64_t cursor, const std::vector<FeedPosition>& rows, absl::Time now,
                         absl::Duration gap_grace);

// Decides whether a Subscribe call may start: OK, or the error to end it with (e.g.
// UNAUTHENTICATED, PERMISSION_DENIED). Runs on the gRPC thread that received the call.
// `authorization` is the call's `authorization` metadata value ("Bearer ..."; empty when the
// call has none). The feed keeps a copy for the stream's lifetime and asks again before every
// read, so an expired or revoked token ends the stream; the call's context is never used
// after the reactor has been handed to gRPC.
using FeedAuthorizer = std::function<absl::Status(std::string_view authorization)>;

class EventFeedService final : public v1::EventFeed::CallbackService {
 public:
  // `id_prefix` makes Event.id globally unique ("customers.crm" -> "customers.crm/42") and is
  // the ErrorInfo domain of errors. `authorize` is required: an empty one refuses every
  // call (PERMISSION_DENIED), so a feed is never open by omission. `pool` and `executor`
  // must outlive this object.
  EventFeedService(db::Pool& pool, Executor& executor, std::string id_prefix,
                   FeedAuthorizer authorize, FeedOptions options = {});
  // The same, with the options first.
  EventFeedService(db::Pool& pool, Executor& executor, std::string id_prefix, FeedOptions options,
                   FeedAuthorizer authorize);
  ~EventFeedService() override;
  EventFeedService(const EventFeedService&) = delete;
  EventFeedService& operator=(const EventFeedService&) = delete;

  // The `authorize` hook's error ends the stream first. Then INVALID_ARGUMENT for a negative
  // after_sequence or batch_size or a bad type name; batch_size 0 means 100 and larger
  // values are capped at max_batch. OUT_OF_RANGE (CURSOR_EXPIRED) below the pruning
  // horizon. A database error ends the stream with its status (UNAVAILABLE when the
  // database cannot be reached) so the consumer reconnects from its cursor.
  grpc::ServerWriteReactor<v1::Event>* Subscribe(grpc::CallbackServerContext* ctx,
                                                 const v1::SubscribeRequest* request) override;

  // Ends every open stream with UNAVAILABLE and refuses new ones, so that a draining server
  // does not wait its whole drain timeout for streams that never end on their own.
  // Consumers reconnect (to another replica) from their cursor.
  void Drain();

  // Streams started and not yet completed (a gauge for metrics and tests).
  int open_streams() const;
  // Fetches completed by all streams so far: tests wait for a poll to have happened instead
  // of sleeping and hoping one did.
  int64_t fetches() const { return fetches_.load(); }

 private:
  class Stream;
  struct Metrics {
    prometheus::Gauge* open_streams = nullptr;
    prometheus::Counter* delivered = nullptr;
    prometheus::Gauge* pending_rows = nullptr;
    prometheus::Gauge* oldest_undelivered_seconds = nullptr;
  };

  static Metrics RegisterMetrics(prometheus::Registry* registry);
  // Measures the backlog behind the slowest open stream, at most once per
  // backlog_interval (whichever stream fetches first does it). Runs on the executor.
  void MaybeMeasureBacklog();
  // Sets the open-streams gauge (and clears the backlog ones when none is open).
  void PublishStreamCount() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Records that `stream` completed (OnDone) and/or that one piece of its asynchronous
  // work ended, and deletes it once both its call and all that work are over.
  void Settle(Stream* stream, bool call_done, bool work_ended);

  db::Pool& pool_;
  Executor& executor_;
  const std::string id_prefix_;
  const FeedAuthorizer authorize_;
  const FeedOptions options_;
  const Metrics metrics_;
  std::atomic<int64_t> next_backlog_check_micros_{0};  // absl::ToUnixMicros

  std::atomic<int64_t> fetches_{0};
  mutable absl::Mutex mu_;  // taken before any Stream's own mutex
  absl::flat_hash_set<Stream*> streams_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace crm::events
