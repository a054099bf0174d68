// Signed webhooks: the same deliveries the suite makes over gRPC, for systems that take HTTP
// (proto/crm/integration/v1 describes the contract). A delivery is an HTTPS/HTTP POST of a
// JSON body with three headers:
//
//   X-Crm-Event-Id:   the idempotency key (the CRM event id)
//   X-Crm-Timestamp:  seconds since the Unix epoch when it was sent
//   X-Crm-Signature:  "v1=" + hex HMAC-SHA256(secret, "<timestamp>.<body>")
//
// The sender signs with Sign() and posts with Post(); a receiver checks with Verify(), which
// refuses a wrong signature and a timestamp outside its replay window, so a captured request
// cannot be played again after the window (within it, the idempotency key makes a replay
// harmless).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm::webhook {

inline constexpr char kEventIdHeader[] = "X-Crm-Event-Id";
inline constexpr char kTimestampHeader[] = "X-Crm-Timestamp";
inline constexpr char kSignatureHeader[] = "X-Crm-Signature";

// "v1=<64 hex digits>" for `body` sent at `timestamp` (Unix seconds).
std::string Sign(std::string_view secret, int64_t timestamp, std::string_view body);

// OK when `signature` is Sign(secret, timestamp, body) (compared in constant time) and
// `timestamp` (the header's decimal text) is within `window` of `now`, either way.
// UNAUTHENTICATED with reason SIGNATURE_INVALID or TIMESTAMP_OUTSIDE_WINDOW otherwise.
absl::Status Verify(std::string_view secret, std::string_view timestamp,
                    std::string_view signature, std::string_view body, absl::Time now,
                    absl::Duration window);

struct HttpResponse {
  long status = 0;  // the HTTP status code
  std::string body;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// POSTs `body` to `url` (http or https, through libcurl) with `headers`. UNAVAILABLE when
// nothing answered within `timeout` (connection refused, DNS, TLS, timeout): the caller may
// retry. Any HTTP answer, 2xx or not, is a response. Thread-safe.
absl::StatusOr<HttpResponse> Post(const std::string& url, std::string_view body,
                                  const Headers& headers, absl::Duration timeout);

// One signed delivery: SignedHeaders and Post, the answer judged as a sender must treat it.
// The 2xx response; otherwise UNAVAILABLE (reason WEBHOOK_UNREACHABLE: no answer; reason
// WEBHOOK_UNAVAILABLE: a 5xx, 408 or 429 answer), which a sender retries later, or
// FAILED_PRECONDITION (reason WEBHOOK_REFUSED: any other answer, such as 400, 401 or 410),
// which sending the same body again will not mend.
inline constexpr char kUnavailableReason[] = "WEBHOOK_UNAVAILABLE";
inline constexpr char kRefusedReason[] = "WEBHOOK_REFUSED";
absl::StatusOr<HttpResponse> Deliver(const std::string& url, std::string_view secret,
                                     std::string_view event_id, std::string_view body,
                                     absl::Time now, absl::Duration timeout);

// The headers of one signed delivery of `body` for `event_id` at `now`, Content-Type
// included.
Headers SignedHeaders(std::string_view secret, std::string_view event_id, std::string_view body,
                      absl::Time now);

}  // namespace crm::webhook
