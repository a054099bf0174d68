#include "libs/mail/mail.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/grpc/status.h"

namespace crm::mail {
namespace {

// RFC 2047 allows encoded words of 75 characters, but the first shares its line with the
// header's name and RFC 5322 wants lines of at most 78: 39 bytes of text (a multiple of 3, so
// no padding inside) make 52 base64 characters, 64 with "=?UTF-8?B?" and "?=", which leaves
// room for "Subject: " or a continuation line's leading space.
constexpr size_t kEncodedWordBytes = 39;
// RFC 2045: base64 lines of at most 76 characters.
constexpr size_t kBase64LineBytes = 57;  // 57 bytes -> 76 characters

bool PrintableAscii(absl::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// An address fit for the envelope and a header: something@something, nothing that could
// end a header or an SMTP command.
bool PlainAddress(absl::string_view address) {
  if (address.empty() || !PrintableAscii(address) || !absl::StrContains(address, "@")) {
    return false;
  }
  for (char c : address) {
    if (c == ' ' || c == '<' || c == '>' || c == ',' || c == '"') return false;
  }
  return true;
}

absl::Status Invalid(absl::string_view message) {
  return Error(absl::StatusCode::kInvalidArgument, kInvalidReason, std::string(message));
}

// "Name <address>", the name encoded when it needs to be.
std::string Mailbox(absl::string_view name, absl::string_view address) {
  if (name.empty()) return std::string(address);
  if (PrintableAscii(name)) {
    return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\" <",
                        address, ">");
  }
  return absl::StrCat(EncodeHeaderText(name), " <", address, ">");
}

std::string Base64Lines(absl::string_view data) {
  std::string out;
  for (size_t at = 0; at < data.size(); at += kBase64LineBytes) {
    absl::StrAppend(&out, absl::Base64Escape(data.substr(at, kBase64LineBytes)), "\r\n");
  }
  return out;
}

std::string RandomMessageId(absl::string_view from_address) {
  absl::BitGen random;
  const size_t at = from_address.find('@');
  const absl::string_view domain =
      at == absl::string_view::npos ? absl::string_view("localhost") : from_address.substr(at + 1);
  return absl::StrFormat("%016x%016x@%s", absl::Uniform<uint64_t>(random),
                         absl::Uniform<uint64_t>(random), domain);
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What libcurl reads the message from.
struct Upload {
  absl::string_view text;
  size_t sent = 0;
  const std::function<absl::Status()>* before_commit = nullptr;
  bool committed = false;
  absl::Status hook_status;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t room = size * count;
  if (upload->sent < upload->text.size()) {
    const size_t n = std::min(room, upload->text.size() - upload->sent);
    std::memcpy(buffer, upload->text.data() + upload->sent, n);
    upload->sent += n;
    return n;
  }
  // Everything is handed over; curl sends the final "." when this returns 0.
  if (!upload->committed) {
    upload->committed = true;
    if (upload->before_commit != nullptr && *upload->before_commit) {
      upload->hook_status = (*upload->before_commit)();
      if (!upload->hook_status.ok()) return CURL_READFUNC_ABORT;
    }
  }
  return 0;
}

}  // namespace

SmtpSettings ReadSmtpFlags(config::Flags& flags) {
  SmtpSettings s;
  s.url = flags.String("smtp_url", "",
                       "the SMTP server for outgoing mail: smtp://host:587 (STARTTLS) or "
                       "smtps://host:465; empty: no mail is sent");
  s.from_address = flags.String("smtp_from", "crm@localhost", "the sender address of mail");
  s.from_name = flags.String("smtp_from_name", "", "the sender's display name (UTF-8)");
  s.username = flags.String("smtp_username", "", "SMTP AUTH user name (empty: no AUTH)");
  s.password = flags.String("smtp_password", "", "SMTP AUTH password (set CRM_SMTP_PASSWORD)");
  s.require_tls = flags.Bool("smtp_require_tls", s.require_tls,
                             "send only over an encrypted connection (STARTTLS or smtps)");
  s.ca_file = flags.String("smtp_ca_file", "", "CA bundle for the SMTP server (empty: system)");
  s.timeout = flags.Duration("smtp_timeout", s.timeout, "longest time for one message",
                             absl::Seconds(1), absl::Minutes(10));
  return s;
}

std::string EncodeHeaderText(absl::string_view text) {
  if (PrintableAscii(text)) return std::string(text);
  std::vector<std::string> words;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = std::min(text.size(), at + kEncodedWordBytes);
    // Back up to the start of a UTF-8 character (never to a continuation byte 10xxxxxx).
    while (end < text.size() && end > at + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    words.push_back(
        absl::StrCat("=?UTF-8?B?", absl::Base64Escape(text.substr(at, end - at)), "?="));
    at = end;
  }
  // Adjacent encoded words separated by folding white space join without a space (RFC 2047 6.2).
  return absl::StrJoin(words, "\r\n ");
}

absl::StatusOr<std::string> Format(const Message& message, const SmtpSettings& settings,
                                   absl::Time date) {
  if (!PlainAddress(message.to)) return Invalid("the recipient is not a plain e-mail address");
  if (!PlainAddress(settings.from_address)) {
    return Invalid("the sender (--smtp_from) is not a plain e-mail address");
  }
  for (absl::string_view text :
       {absl::string_view(message.to_name), absl::string_view(settings.from_name),
        absl::string_view(message.subject)}) {
    if (absl::StrContains(text, "\r") || absl::StrContains(text, "\n")) {
      return Invalid("a display name or the subject has a line break");
    }
  }
  const std::string id =
      message.message_id.empty() ? RandomMessageId(settings.from_address) : message.message_id;
  if (!PlainAddress(id)) return Invalid("the Message-ID is not local@domain");
  // The body with CRLF line ends, so every receiver sees the same lines.
  std::string body = absl::StrReplaceAll(message.body, {{"\r\n", "\n"}});
  body = absl::StrReplaceAll(body, {{"\n", "\r\n"}});
  return absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date, absl::UTCTimeZone()), "\r\n",
      "From: ", Mailbox(settings.from_name, settings.from_address), "\r\n",
      "To: ", Mailbox(message.to_name, message.to), "\r\n",
      "Subject: ", EncodeHeaderText(message.subject), "\r\n",  //
      "Message-ID: <", id, ">\r\n",                            //
      "MIME-Version: 1.0\r\n",                                 //
      "Content-Type: text/plain; charset=UTF-8\r\n",           //
      "Content-Transfer-Encoding: base64\r\n",                 //
      "\r\n", Base64Lines(body));
}

SmtpMailer::SmtpMailer(SmtpSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

absl::Status SmtpMailer::Send(const Message& message,
                              const std::function<absl::Status()>& before_commit) {
  if (settings_.url.empty()) {
    return Error(absl::StatusCode::kUnavailable, kUnavailableReason,
                 "no SMTP server is configured (--smtp_url)");
  }
  absl::StatusOr<std::string> text = Format(message, settings_, clock_.Now());
  if (!text.ok()) return text.status();

  InitCurlOnce();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  Upload upload{.text = *text, .before_commit = &before_commit};
  const std::string from = absl::StrCat("<", settings_.from_address, ">");
  const std::string to = absl::StrCat("<", message.to, ">");
  curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   settings_.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                         : static_cast<long>(CURLUSESSL_TRY));
  if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.timeout)));
  // Signals are not for libraries in a multi-threaded server.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl);
  long answer = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);

  if (code == CURLE_OK) return absl::OkStatus();
  if (!upload.hook_status.ok()) return upload.hook_status;
  // After the final "." only an answer tells: the last one seen is still DATA's 354.
  if (upload.committed && answer < 400) {
    return Error(absl::StatusCode::kUnavailable, kOutcomeUnknownReason,
                 absl::StrCat("the connection failed before the server answered the message: ",
                              curl_easy_strerror(code)));
  }
  // A 5xx answer refuses this message for good (RFC 5321 4.2.1); a login the server refused
  // is the operator's to fix and every message would fail the same way, so it is transient.
  if (answer >= 500 && answer < 600 && code != CURLE_LOGIN_DENIED) {
    return Error(absl::StatusCode::kFailedPrecondition, kRejectedReason,
                 absl::StrCat("the SMTP server refused the message (", answer,
                              "): ", curl_easy_strerror(code)));
  }
  return Error(absl::StatusCode::kUnavailable, kUnavailableReason,
               absl::StrCat("the message was not sent: ", curl_easy_strerror(code),
                            answer != 0 ? absl::StrCat(" (last answer ", answer, ")") : ""));
}

}  // namespace crm::mail
