// The consumer side of crm.events.v1.EventFeed: follows one or more services' feeds and
// applies each event exactly once to the consumer's own schema, although delivery is at
// least once.
//
//   class CountChanges final : public events::EventHandler {
//     absl::Status Apply(db::Transaction& tx, const events::v1::Event& event) override {
//       return tx.Execute(kCountSql, {event.type(), event.resource()}).status();
//     }
//   };
//   CountChanges handler;
//   events::Consumer consumer(*pool, handler, {
//       .consumer = "analytics",
//       .feeds = {{.name = "customers", .channel = customers_channel}},
//       .credentials = BearerTokenCredentials(token),
//       .metrics = &registry});
//   CRM_RETURN_IF_ERROR(consumer.Start());
//
// Exactly once. Each event is applied in one transaction of the consumer's pool that
// locks the feed's cursor row (event_cursors, SELECT ... FOR UPDATE), skips the event when
// its sequence is at or below the cursor or its id is already in the inbox (event_inbox),
// calls EventHandler::Apply, records the id in the inbox and moves the cursor, then
// commits. A crash anywhere rolls back all of it; two consumer replicas serialise on the
// cursor row, and the second finds the event done. The tables come with db::Migrate's
// platform track.
//
// Failures. A broken stream reconnects from the stored cursor with exponential backoff
// and jitter. An Apply error rolls back and is retried the same way: an event is never
// skipped because it failed. A cursor older than the producer's retention
// (OUT_OF_RANGE, CURSOR_EXPIRED) stops that feed: it is logged, shown by GetStatus() and the
// crm_events_consumer_cursor_expired gauge, and stays stopped until an operator calls
// Rewind (rebuild from what is left) or SkipToEarliest (accept the loss).
//
// Threads: one per feed, owned by the Consumer, never a gRPC server thread. Stop() (or
// the destructor) cancels the streams and joins them.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace crm::events {

// What the application does with events. Called on the consumer's threads, one event at
// a time per feed (feeds run in parallel).
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  // Applies `event` to the read model inside `tx`, which also records the event and moves
  // the cursor. It may run more than once for one event when the transaction is retried
  // after a deadlock, but commits at most once: no effects outside `tx`. An error rolls
  // everything back; the event is retried after a backoff, never skipped.
  virtual absl::Status Apply(db::Transaction& tx, const v1::Event& event) = 0;
  // Called by Consumer::Rewind in the transaction that resets the feed's cursor and
  // inbox: clear what was built from `feed`, so replaying it from the start rebuilds it.
  virtual absl::Status Reset(db::Transaction& tx, std::string_view feed);
};

// One feed to follow.
struct FeedSource {
  // The key of its cursor in event_cursors and the `feed` label of the metrics, e.g.
  // "customers": 1-64 characters, unique within a consumer. Keep it when the address
  // changes, or the consumer starts over.
  std::string name;
  // The producing service itself (crm.events.v1 is not routed by the gateway), e.g.
  // crm::ServiceChannel (libs/grpc/channel.h): its keepalive notices a producer that
  // vanished without closing the stream, and a target listing several replicas fails over.
  std::shared_ptr<grpc::ChannelInterface> channel;
  // Exact event type names to receive (SubscribeRequest.types); empty: every type.
  std::vector<std::string> types;
};

struct ConsumerOptions {
  // Who this consumer is (its cursors are keyed by it), e.g. "analytics": 1-64 characters.
  std::string consumer;
  std::vector<FeedSource> feeds;
  // Attached to every Subscribe: the identity the producer's policy checks (the consuming
  // service's own, kit.service_credentials). Null sends none.
  std::shared_ptr<grpc::CallCredentials> credentials;
  int batch_size = 100;  // SubscribeRequest.batch_size
  // Reconnect delays: doubled after each failure up to max, drawn from [d/2, d] (jitter),
  // back to the initial one after an event was applied.
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
  // Metrics (README.md), labelled consumer and feed; null: none.
  prometheus::Registry* metrics = nullptr;
  // For the inbox's apply_time and the lag in seconds.
  const Clock* clock = &Clock::Real();
};

enum class FeedState {
  kConnecting,  // opening a stream (or waiting to, after a failure)
  kStreaming,   // a stream is open
  // Stopped: the cursor is below the producer's retention horizon. Rewind or
  // SkipToEarliest resumes it at once in the process they are called in; the other
  // replicas see the cursor row's new epoch within max_backoff and resume too.
  kCursorExpired,
  kStopped,  // Stop() was called
};
std::string_view FeedStateName(FeedState state);

struct FeedStatus {
  FeedState state = FeedState::kConnecting;
  int64_t cursor = 0;             // the last sequence applied, as this process knows it
  int64_t head_sequence = 0;      // the producer's head with the last event received
  int64_t earliest_sequence = 0;  // kCursorExpired: what the producer can still deliver
  int64_t applied = 0;            // events this process applied
  absl::Status last_error;        // the last stream or apply failure (OK if none yet)
};

class Consumer final {
 public:
  // `pool`, `handler` and the options' clock and registry must outlive this object.
  Consumer(db::Pool& pool, EventHandler& handler, ConsumerOptions options);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Checks the options (INVALID_ARGUMENT), creates missing cursor rows (at 0) and starts
  // one thread per feed.
  absl::Status Start();
  // Cancels the streams and joins the threads. An event being applied commits or rolls
  // back first.
  void Stop();

  // Starts `feed` over: in one transaction, EventHandler::Reset, the feed's inbox rows
  // deleted and its cursor set to 0; then the stream reconnects from 0. Resumes a feed
  // stopped by kCursorExpired, if the producer's horizon is still 0 (otherwise the feed
  // expires again at once: the events are gone and the read model needs another source
  // or SkipToEarliest). NOT_FOUND for an unknown feed.
  absl::Status Rewind(std::string_view feed);
  // For a feed stopped by kCursorExpired: moves its cursor to earliest_sequence - 1,
  // accepting that the events in between are lost (logged), and resumes it.
  // FAILED_PRECONDITION when the feed is not stopped that way.
  absl::Status SkipToEarliest(std::string_view feed);

  // NOT_FOUND for an unknown feed.
  absl::StatusOr<FeedStatus> GetStatus(std::string_view feed) const;
  // The names of the feeds it follows, in the order of the options.
  std::vector<std::string> FeedNames() const;
  const std::string& name() const { return options_.consumer; }

 private:
  struct Feed;
  Feed* Find(std::string_view name) const;
  void Run(Feed& feed);
  // While `feed` is stopped by an expired cursor, waits for an operator's move of its
  // cursor (here or on another replica); false when stopping.
  bool AwaitOperator(Feed& feed);
  // One stream from the stored cursor until it ends; its final status.
  absl::Status Follow(Feed& feed);
  // Applies one event; ABORTED CURSOR_MOVED when an operator moved the cursor meanwhile.
  absl::Status ApplyOne(Feed& feed, int64_t epoch, const v1::Event& event, bool* applied);
  // Sets the cursor row (never backwards when `forward_only`) and a new epoch in a
  // transaction that also runs `extra`, then makes the feed reconnect from it.
  absl::Status MoveCursor(Feed& feed, int64_t sequence, bool forward_only,
                          const std::function<absl::Status(db::Transaction&)>& extra);
  void SetState(Feed& feed, FeedState state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  db::Pool& pool_;
  EventHandler& handler_;
  const ConsumerOptions options_;
  std::vector<std::unique_ptr<Feed>> feeds_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace crm::events
