// The W3C trace context (https://www.w3.org/TR/trace-context/) of the request a thread is
// serving, beside its request id: every log line written meanwhile carries "trace_id" and
// "span_id", so one request can be followed through the gateway and every service it reaches
// (grep the trace id in every log), and a tracing backend can take the same ids later.
//
// The server bootstrap sets it for each call (libs/grpc/trace.h makes the context from the
// caller's `traceparent` header, or starts a trace when there is none); outgoing calls made
// meanwhile carry it on (ClientCall).
#pragma once

#include <string>

namespace crm::log {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex digits, not all zero; empty: no trace
  std::string span_id;   // 16 lower-case hex digits: this server's part of the trace
  bool sampled = false;  // the trace-flags' sampled bit, passed on unchanged

  bool empty() const { return trace_id.empty(); }
};

// The trace of the request this thread serves (empty when none).
const TraceContext& CurrentTrace();

class ScopedTrace final {
 public:
  explicit ScopedTrace(TraceContext trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  TraceContext previous_;
};

}  // namespace crm::log
