#include "libs/grpc/executor.h"

#include <utility>
#include <vector>

namespace crm {

Executor::Executor(int threads) {
  workers_.reserve(threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    Worker& worker = *workers_.emplace_back(std::make_unique<Worker>());
    threads_.emplace_back([this, &worker] { Work(worker); });
  }
}

Executor::~Executor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (Worker* worker : idle_) worker->wake.Signal();
  }
  for (auto& t : threads_) t.join();
}

void Executor::Submit(Task task) {
  Worker* worker = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (idle_.empty()) {
      queue_.push_back(std::move(task));
      return;
    }
    worker = idle_.back();
    idle_.pop_back();
    worker->task = std::move(task);
    worker->has_task = true;
  }
  // Outside the lock, so the worker does not wake up only to wait for it. It cannot miss the
  // signal: it waits for has_task, which is already set.
  worker->wake.Signal();
}

void Executor::Work(Worker& self) {
  for (;;) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      if (!queue_.empty()) {
        task = std::move(queue_.front());
        queue_.pop_front();
      } else {
        if (stopping_) return;  // nothing left
        idle_.push_back(&self);
        // Only Submit takes a worker off the idle stack (and gives it a task), so a worker
        // leaves it with a task or when the executor stops.
        while (!self.has_task && !stopping_) self.wake.Wait(&mu_);
        if (!self.has_task) {  // stopping; the queue is empty while anyone is idle
          std::erase(idle_, &self);
          return;
        }
        task = std::move(self.task);
        self.has_task = false;
      }
    }
    task();
  }
}

std::string RequestIdOf(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("x-request-id");
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace crm
