#include "libs/webhook/webhook.h"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/hash.h"
#include "libs/grpc/status.h"

namespace crm::webhook {
namespace {

constexpr char kVersionPrefix[] = "v1=";

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string Sign(std::string_view secret, int64_t timestamp, std::string_view body) {
  return absl::StrCat(kVersionPrefix,
                      HmacSha256Hex(secret, absl::StrCat(timestamp, ".", std::string(body))));
}

absl::Status Verify(std::string_view secret, std::string_view timestamp,
                    std::string_view signature, std::string_view body, absl::Time now,
                    absl::Duration window) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(std::string(timestamp), &seconds) ||
      absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) > window) {
    return Error(absl::StatusCode::kUnauthenticated, "TIMESTAMP_OUTSIDE_WINDOW",
                 "the delivery's timestamp is missing or outside the replay window");
  }
  const std::string expected = Sign(secret, seconds, body);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Error(absl::StatusCode::kUnauthenticated, "SIGNATURE_INVALID",
                 "the delivery's signature does not match its body");
  }
  return absl::OkStatus();
}

Headers SignedHeaders(std::string_view secret, std::string_view event_id, std::string_view body,
                      absl::Time now) {
  const int64_t timestamp = absl::ToUnixSeconds(now);
  return {{"Content-Type", "application/json"},
          {kEventIdHeader, std::string(event_id)},
          {kTimestampHeader, absl::StrCat(timestamp)},
          {kSignatureHeader, Sign(secret, timestamp, body)}};
}

absl::StatusOr<HttpResponse> Post(const std::string& url, std::string_view body,
                                  const Headers& headers, absl::Duration timeout) {
  InitCurlOnce();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  // curl would add "Expect: 100-continue" to larger bodies and wait for the server's go.
  list = curl_slist_append(list, "Expect:");
  HttpResponse response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  // Signals are not for libraries in a multi-threaded server.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return Error(absl::StatusCode::kUnavailable, "WEBHOOK_UNREACHABLE",
                 absl::StrCat("no answer from the webhook: ", curl_easy_strerror(code)));
  }
  return response;
}

}  // namespace crm::webhook

namespace crm::webhook {

absl::StatusOr<HttpResponse> Deliver(const std::string& url, std::string_view secret,
                                     std::string_view event_id, std::string_view body,
                                     absl::Time now, absl::Duration timeout) {
  CRM_ASSIGN_OR_RETURN(HttpResponse response,
                       Post(url, body, SignedHeaders(secret, event_id, body, now), timeout));
  if (response.status >= 200 && response.status <= 299) return response;
  const std::string said =
      absl::StrCat("HTTP ", response.status, ": ", response.body.substr(0, 200));
  // 408 and 429 are "not now"; every 5xx may pass. Any other answer refuses this delivery.
  if (response.status >= 500 || response.status == 408 || response.status == 429) {
    return Error(absl::StatusCode::kUnavailable, kUnavailableReason, said);
  }
  return Error(absl::StatusCode::kFailedPrecondition, kRefusedReason, said);
}

}  // namespace crm::webhook
