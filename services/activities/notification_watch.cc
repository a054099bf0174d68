#include "services/activities/notification_watch.h"

#include <utility>

#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::activities {
namespace {

// Notifications read per query; a watch that fell behind reads page after page.
constexpr int kPage = 100;
// How long Stop waits for the watches it ended to be done.
constexpr absl::Duration kEndWait = absl::Seconds(5);

absl::Status Draining() {
  return Error(absl::StatusCode::kUnavailable, "SERVER_DRAINING",
               "the server is shutting down: watch again, after the last notification received");
}

}  // namespace

// ---- NotificationWatchers ------------------------------------------------------------------

void NotificationWatchers::Start() {
  absl::MutexLock lock(&mu_);
  if (running_ || stopping_) return;
  running_ = true;
  poller_ = std::thread([this] { Poll(); });
}

void NotificationWatchers::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Under the lock: a watch leaves the set (OnDone) only after it finished, and End never
    // finishes on this thread, so each is alive here.
    for (NotificationWatch* watch : watches_) watch->End(Draining());
    // Each leaves the set when its call is done. One stuck behind a client that stopped
    // reading ends with the server's own shutdown instead.
    auto none_open = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return watches_.empty(); };
    mu_.AwaitWithTimeout(absl::Condition(&none_open), kEndWait);
  }
  if (poller_.joinable()) poller_.join();
}

void NotificationWatchers::WakeAll() {
  absl::MutexLock lock(&mu_);
  for (NotificationWatch* watch : watches_) watch->Wake();
}

bool NotificationWatchers::Add(NotificationWatch* watch) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  watches_.insert(watch);
  return true;
}

void NotificationWatchers::Remove(NotificationWatch* watch) {
  absl::MutexLock lock(&mu_);
  watches_.erase(watch);
}

void NotificationWatchers::Poll() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll_interval_)) {
    for (NotificationWatch* watch : watches_) watch->Wake();
  }
}

// ---- NotificationWatch ---------------------------------------------------------------------

NotificationWatch::NotificationWatch(NotificationWatchers& watchers, NotificationStore& store,
                                     Executor& executor, std::string domain, absl::Status refused,
                                     std::string recipient, std::optional<int64_t> after_id)
    : watchers_(watchers),
      store_(store),
      executor_(executor),
      domain_(std::move(domain)),
      recipient_(std::move(recipient)),
      after_id_(after_id) {
  if (refused.ok()) {
    registered_ = watchers_.Add(this);
    if (!registered_) refused = Draining();
  }
  if (!refused.ok()) {
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    Finish(ToGrpcStatus(refused, domain_));
    return;
  }
  executor_.Submit([this] { Begin(); });
}

void NotificationWatch::Begin() {
  absl::StatusOr<int64_t> start =
      after_id_.has_value() ? absl::StatusOr<int64_t>(*after_id_) : store_.NewestId(recipient_);
  Step step;
  {
    absl::MutexLock lock(&mu_);
    if (!start.ok() && !end_) end_ = ToGrpcStatus(start.status(), domain_);
    if (!end_) {
      cursor_ = *start;
      step.send_metadata = true;
    } else {
      step = NextLocked();
    }
  }
  // The client learns that the watch has its starting point: whatever is written from now on
  // reaches it.
  if (step.send_metadata) {
    StartSendInitialMetadata();
    return;
  }
  Continue(std::move(step));
}

void NotificationWatch::OnSendInitialMetadataDone(bool ok) {
  Step step;
  {
    absl::MutexLock lock(&mu_);
    if (!ok && !end_) end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the call ended");
    if (end_) {
      step = NextLocked();
    } else {
      step.read = true;  // still busy: the first read
    }
  }
  Continue(std::move(step));
}

void NotificationWatch::Read() {
  int64_t from = 0;
  {
    absl::MutexLock lock(&mu_);
    again_ = false;  // what is written from here on, this read may see or the next one will
    from = cursor_;
  }
  absl::StatusOr<std::vector<NotificationStore::Numbered>> page =
      store_.After(recipient_, from, kPage);
  Step step;
  {
    absl::MutexLock lock(&mu_);
    if (!page.ok()) {
      if (!end_) end_ = ToGrpcStatus(page.status(), domain_);
    } else {
      full_page_ = static_cast<int>(page->size()) == kPage;
      for (NotificationStore::Numbered& n : *page) queue_.push_back(std::move(n));
    }
    step = NextLocked();
  }
  Continue(std::move(step));
}

void NotificationWatch::OnWriteDone(bool ok) {
  Step step;
  {
    absl::MutexLock lock(&mu_);
    if (!ok) {
      if (!end_) end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    } else {
      cursor_ = queue_.front().id;
      queue_.pop_front();
    }
    step = NextLocked();
  }
  Continue(std::move(step));
}

void NotificationWatch::Wake() {
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || end_) return;
    if (busy_) {
      again_ = true;
      return;
    }
    busy_ = true;
  }
  executor_.Submit([this] { Read(); });
}

void NotificationWatch::End(const absl::Status& why) {
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (!end_) end_ = ToGrpcStatus(why, domain_);
    if (busy_) return;  // the read or write in flight finishes it
    finished_ = true;
    status = *end_;
  }
  // Never on the caller's thread: it may hold NotificationWatchers' lock, which OnDone takes.
  executor_.Submit([this, status = std::move(status)] { Finish(status); });
}

void NotificationWatch::OnCancel() { End(absl::CancelledError("the client cancelled the watch")); }

void NotificationWatch::OnDone() {
  if (registered_) watchers_.Remove(this);
  delete this;
}

NotificationWatch::Step NotificationWatch::NextLocked() {
  Step step;
  if (end_) {
    busy_ = false;
    if (!finished_) {
      finished_ = true;
      step.finish = *end_;
    }
    return step;
  }
  if (!queue_.empty()) {
    step.write = &queue_.front().notification;
    return step;
  }
  if (full_page_ || again_) {
    step.read = true;
    return step;
  }
  busy_ = false;
  return step;
}

void NotificationWatch::Continue(Step step) {
  // Nothing touches `this` after these: each may lead to OnDone on another thread.
  if (step.finish) {
    Finish(*step.finish);
  } else if (step.write != nullptr) {
    StartWrite(step.write);
  } else if (step.read) {
    executor_.Submit([this] { Read(); });
  }
}

}  // namespace crm::activities
