// A real SMTP server on loopback for tests: smtp_sink.py (Debian python3-aiosmtpd) as a child
// process, keeping every message it accepts, decoded as a mail client would show it.
//
//   auto sink = SmtpSink::Start();
//   settings.url = (*sink)->url();   settings.require_tls = false;
//   ... send ...
//   ASSERT_TRUE((*sink)->WaitForCount(1));
//   EXPECT_EQ((*sink)->Received()[0].subject, "生日快乐");
//
// Recipients whose local part starts with "refused" are refused with 550, with "busy" 451; a
// message to "vanish..." is kept and the connection dropped before its final answer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/process.h"

namespace crm::testing {

struct ReceivedMail {
  std::string mail_from;             // the envelope sender
  std::vector<std::string> rcpt_to;  // the envelope recipients
  std::string from, to;              // the headers, decoded
  std::string subject;               // decoded (RFC 2047)
  std::string body;                  // decoded (transfer encoding and charset)
  std::string message_id;            // with its angle brackets
  std::string raw;                   // the message as it came over the wire
};

class SmtpSink final {
 public:
  static absl::StatusOr<std::unique_ptr<SmtpSink>> Start();

  int port() const { return port_; }
  std::string url() const;  // smtp://127.0.0.1:<port>
  // Every message accepted so far, in arrival order.
  std::vector<ReceivedMail> Received() const;
  // Waits until at least `count` messages have arrived (false when `timeout` passes first:
  // a bound against a hang, not a measurement).
  bool WaitForCount(size_t count, absl::Duration timeout = absl::Seconds(30)) const;

 private:
  SmtpSink(std::unique_ptr<TempDir> dir, std::unique_ptr<ChildProcess> process, int port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}
  std::string MailDir() const;

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_;
};

}  // namespace crm::testing
