// Structured logging: one JSON object per line on stderr with time, level, service,
// request id and trace (trace_id, span_id: trace.h) when the calling thread is serving a
// request, and message, plus optional fields. Cheap enough for the request path; no SQL text or secrets belong in it.
//
//   crm::log::Info("customer created", {{"customer", name}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace crm::log {

using Field = std::pair<std::string_view, std::string_view>;

// Set once in main before any thread starts.
void SetService(std::string_view service);

void Info(std::string_view message, std::initializer_list<Field> fields = {});
void Warn(std::string_view message, std::initializer_list<Field> fields = {});
void Error(std::string_view message, std::initializer_list<Field> fields = {});
// Logs and exits with status 1: for start-up failures only.
[[noreturn]] void Fatal(std::string_view message, std::initializer_list<Field> fields = {});

// The request id logged by this thread; set for the duration of a request by
// ScopedRequestId (the server bootstrap does it).
std::string_view CurrentRequestId();

class ScopedRequestId final {
 public:
  explicit ScopedRequestId(std::string request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

// JSON string escaping (quotes included), exposed for tests.
std::string JsonQuote(std::string_view text);

}  // namespace crm::log
