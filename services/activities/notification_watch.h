// Live delivery of the inbox: crm.activities.v1.NotificationService/WatchNotifications.
//
// A watch is a callback reactor that never blocks a gRPC thread: it reads the database on
// the executor (the caller's notifications with an id above the last one sent, a page at a
// time) and writes from the completion callbacks, one message in flight, so gRPC's flow
// control reaches it (a client that stops reading only stops its own watch).
//
// What wakes a watch is a poll: NotificationWatchers, a background job (Process::Run), wakes
// every open watch each --watch_poll_interval, and each asks for its recipient's rows above
// its cursor (one indexed query). A poll rather than an in-process signal because
// notifications are written by whichever replica applied the event or took the call: the
// database is where every replica's writes meet. A watch already reading when woken reads
// again when done, so nothing written meanwhile waits for the next tick.
//
// A watch ends when the client cancels, when the server drains (the job's Stop ends every
// watch with UNAVAILABLE, reason SERVER_DRAINING: reconnect with `after` = the last one
// received, elsewhere), and on a database error (UNAVAILABLE; reconnect the same way).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/grpc/executor.h"
#include "libs/service/job.h"
#include "services/activities/notification_store.h"

namespace crm::activities {

class NotificationWatch;

// The open watches of this process and the poll that wakes them. Thread-safe.
class NotificationWatchers final : public service::BackgroundJob {
 public:
  explicit NotificationWatchers(absl::Duration poll_interval) : poll_interval_(poll_interval) {}
  ~NotificationWatchers() override { Stop(); }

  void Start() ABSL_LOCKS_EXCLUDED(mu_) override;
  // Ends every open watch (SERVER_DRAINING), waits (a little) until they are done, refuses
  // new ones and stops the poll.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) override;

  // Wakes every open watch now (the poll does it every poll_interval).
  void WakeAll() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend class NotificationWatch;
  // False when stopping: the watch must end at once.
  bool Add(NotificationWatch* watch) ABSL_LOCKS_EXCLUDED(mu_);
  void Remove(NotificationWatch* watch) ABSL_LOCKS_EXCLUDED(mu_);
  void Poll();

  const absl::Duration poll_interval_;
  absl::Mutex mu_;
  std::set<NotificationWatch*> watches_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  std::thread poller_;
};

// One open WatchNotifications call. Deletes itself when the call is done.
class NotificationWatch final : public grpc::ServerWriteReactor<v1::Notification> {
 public:
  // Finishes at once with `refused` when it is not OK. Otherwise sends the initial metadata
  // once its starting point is known (the newest notification of `recipient`, or
  // `after_id`), then every notification of `recipient` above it as they come.
  NotificationWatch(NotificationWatchers& watchers, NotificationStore& store, Executor& executor,
                    std::string domain, absl::Status refused, std::string recipient,
                    std::optional<int64_t> after_id);

  // Reads what is new (now, or when the current read is done).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the call with `why` as soon as no read or write is in flight.
  void End(const absl::Status& why) ABSL_LOCKS_EXCLUDED(mu_);

  void OnSendInitialMetadataDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // On the executor: the starting point, then the initial metadata.
  void Begin();
  // On the executor: the next page above the cursor, then its first write.
  void Read();
  // What comes after a read or a write is done: at most one of these.
  struct Step {
    const v1::Notification* write = nullptr;  // the next message (it stays in queue_)
    bool read = false;                        // read again (more may be there)
    std::optional<grpc::Status> finish;       // end the call with this
    bool send_metadata = false;               // Begin only: the starting point is known
  };
  // With mu_ held: the next step; clears busy_ when there is none.
  Step NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the step, outside mu_.
  void Continue(Step step) ABSL_LOCKS_EXCLUDED(mu_);

  NotificationWatchers& watchers_;
  NotificationStore& store_;
  Executor& executor_;
  const std::string domain_;
  const std::string recipient_;
  const std::optional<int64_t> after_id_;

  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;      // the last id sent (or the starting point)
  bool busy_ ABSL_GUARDED_BY(mu_) = true;        // a read or write is in flight
  bool again_ ABSL_GUARDED_BY(mu_) = false;      // woken while busy
  bool full_page_ ABSL_GUARDED_BY(mu_) = false;  // the last read filled its page
  std::deque<NotificationStore::Numbered> queue_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool registered_ = false;  // set once in the constructor
};

}  // namespace crm::activities
