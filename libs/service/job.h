// A job a service runs beside its server: a scheduler, a relay, an escalator. The process
// starts it with the server and stops it when it drains (Process::Run), so that no job keeps
// working, holding leases and locks, in a process that is going away.
#pragma once

namespace crm::service {

class BackgroundJob {
 public:
  virtual ~BackgroundJob() = default;
  // Begins the work on a thread of the job's own and returns.
  virtual void Start() = 0;
  // Ends the work and waits for it; a second call does nothing (destructors call it too).
  virtual void Stop() = 0;
};

}  // namespace crm::service
