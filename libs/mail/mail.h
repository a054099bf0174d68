// Outgoing e-mail: one UTF-8 plain-text message at a time to an SMTP server, through libcurl.
//
//   mail::SmtpSettings settings = mail::ReadSmtpFlags(flags);   // --smtp_url, --smtp_from, ...
//   mail::SmtpMailer mailer(settings);
//   absl::Status sent = mailer.Send({.to = "zhang.wei@example.cn", .subject = "生日快乐",
//                                    .body = "张伟您好：\n..."});
//
// The message is RFC 5322 text with a MIME body: the subject and display names as RFC 2047
// encoded words (UTF-8, base64), the body "text/plain; charset=UTF-8" in base64 (so no line
// of the body can end the SMTP DATA phase or be mangled by a 7-bit relay), a Date and a
// Message-ID (the caller's, so a retried message carries the same id, or a random one).
//
// Errors, as the caller must treat them:
//   UNAVAILABLE (reason SMTP_UNAVAILABLE): nothing was accepted for good — no connection,
//     TLS or login failure, a timeout, a 4xx answer ("try again later"). Retry later.
//   UNAVAILABLE (reason SMTP_OUTCOME_UNKNOWN): the whole message went out and the connection
//     failed before the server answered the final "." — it may or may not have been
//     accepted. A sender that must never send twice does not retry it.
//   FAILED_PRECONDITION (reason MAIL_REJECTED): the server refused this message with a 5xx
//     answer (most often the recipient: "550 no such user"). Sending it again will not help.
//   INVALID_ARGUMENT (reason MAIL_INVALID): the message itself is malformed (an address with
//     a line break, no recipient); nothing was sent.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/config/config.h"

namespace crm::mail {

inline constexpr char kUnavailableReason[] = "SMTP_UNAVAILABLE";
inline constexpr char kOutcomeUnknownReason[] = "SMTP_OUTCOME_UNKNOWN";
inline constexpr char kRejectedReason[] = "MAIL_REJECTED";
inline constexpr char kInvalidReason[] = "MAIL_INVALID";

struct Message {
  std::string to;       // the recipient's address: "zhang.wei@example.cn"
  std::string to_name;  // optional display name, UTF-8
  std::string subject;  // UTF-8, one line
  std::string body;     // UTF-8 plain text; "\n" or "\r\n" line ends
  // "<local@domain>" without the angle brackets; empty: a random one is made. A caller that
  // may send the same message again (after a crash) gives a stable one.
  std::string message_id;
};

struct SmtpSettings {
  // "smtp://host:port" (STARTTLS as below) or "smtps://host:port" (TLS from the start).
  // Empty: mail is not configured and every Send is UNAVAILABLE.
  std::string url;
  std::string from_address;  // the envelope sender and the From address
  std::string from_name;     // the From display name, UTF-8 (may be empty)
  // SMTP AUTH, when the username is not empty (the password from CRM_SMTP_PASSWORD, so it
  // stays out of the process list).
  std::string username;
  std::string password;
  // Refuse to send unless the connection is encrypted (STARTTLS on smtp://). Off only for a
  // relay on the same host or in tests.
  bool require_tls = true;
  // A CA bundle for the server's certificate; empty: the system's.
  std::string ca_file;
  // The longest a whole message (connect to the final answer) may take.
  absl::Duration timeout = absl::Seconds(30);
};

// Reads --smtp_url, --smtp_from, --smtp_from_name, --smtp_username, --smtp_password,
// --smtp_require_tls, --smtp_ca_file and --smtp_timeout (env CRM_SMTP_*).
SmtpSettings ReadSmtpFlags(config::Flags& flags);

// The RFC 5322 text of `message` from `settings`' sender, dated `date`, with CRLF line ends.
// INVALID_ARGUMENT (MAIL_INVALID) for an address or display name that could break a header.
absl::StatusOr<std::string> Format(const Message& message, const SmtpSettings& settings,
                                   absl::Time date);

// `text` as a header value: as it is when it is printable ASCII, otherwise RFC 2047 encoded
// words ("=?UTF-8?B?...?="), each at most 64 characters (so a header line stays within 78)
// and never splitting a character, folded onto continuation lines.
std::string EncodeHeaderText(absl::string_view text);

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Sends `message`. `before_commit`, when given, runs once the server has taken the whole
  // message text and before the final "." that makes the server accept it: the last moment
  // a sender can record "this may now be delivered". If it fails, the message is abandoned
  // (the server never accepts it) and its error is returned. Thread-safe.
  virtual absl::Status Send(const Message& message,
                            const std::function<absl::Status()>& before_commit = nullptr) = 0;
};

// Mailer over libcurl: one connection per message (messages are rare: greetings,
// notifications), so no connection state is shared between threads.
class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpSettings settings, const Clock& clock = Clock::Real());
  absl::Status Send(const Message& message,
                    const std::function<absl::Status()>& before_commit = nullptr) override;

 private:
  const SmtpSettings settings_;
  const Clock& clock_;
};

}  // namespace crm::mail
