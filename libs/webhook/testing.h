// A webhook receiver on loopback for tests (civetweb): it checks each delivery as a real
// receiver would (Verify with its secret, a 5-minute window on the real clock), keeps what
// arrived, and answers with the status the test chose.
//
//   webhook::testing::Receiver receiver("0123456789abcdef");
//   ... deliver to receiver.url() ...
//   ASSERT_TRUE(receiver.WaitForCount(1));
//   EXPECT_TRUE(receiver.Received()[0].check.ok());
#pragma once

#include <civetweb.h>

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace crm::webhook::testing {

class Receiver {
 public:
  struct Delivery {
    std::string event_id;  // X-Crm-Event-Id
    std::string body;
    absl::Status check;  // Verify's answer
  };

  // Answers `answer` (an HTTP status) with the body {"reference":"R-1"}.
  explicit Receiver(std::string secret, int answer = 200);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const;  // http://127.0.0.1:<port>/hook
  void SetAnswer(int answer) ABSL_LOCKS_EXCLUDED(mu_);
  // Every request so far, in arrival order.
  std::vector<Delivery> Received() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until at least `count` requests arrived (false when `timeout` passes first: a
  // bound against a hang, not a measurement).
  bool WaitForCount(size_t count, absl::Duration timeout = absl::Seconds(30))
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  static int Handle(mg_connection* conn, void* data);

  const std::string secret_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  absl::Mutex mu_;
  int answer_ ABSL_GUARDED_BY(mu_);
  std::vector<Delivery> received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::webhook::testing
