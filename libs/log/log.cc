#include "libs/log/log.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/log/trace.h"

namespace crm::log {
namespace {

std::string& Service() {
  static std::string* service = new std::string("crm");
  return *service;
}

thread_local std::string current_request_id;
thread_local TraceContext current_trace;

void Write(std::string_view level, std::string_view message, std::initializer_list<Field> fields) {
  std::string line = "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += level;
  line += "\",\"service\":";
  line += JsonQuote(Service());
  if (!current_request_id.empty()) {
    line += ",\"request_id\":";
    line += JsonQuote(current_request_id);
  }
  if (!current_trace.empty()) {
    line += ",\"trace_id\":";
    line += JsonQuote(current_trace.trace_id);
    line += ",\"span_id\":";
    line += JsonQuote(current_trace.span_id);
  }
  line += ",\"msg\":";
  line += JsonQuote(message);
  for (const auto& [key, value] : fields) {
    line += ',';
    line += JsonQuote(key);
    line += ':';
    line += JsonQuote(value);
  }
  line += "}\n";
  // One fwrite per line keeps lines whole when threads log at once.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void SetService(std::string_view service) { Service() = std::string(service); }

void Info(std::string_view message, std::initializer_list<Field> fields) {
  Write("info", message, fields);
}
void Warn(std::string_view message, std::initializer_list<Field> fields) {
  Write("warn", message, fields);
}
void Error(std::string_view message, std::initializer_list<Field> fields) {
  Write("error", message, fields);
}
void Fatal(std::string_view message, std::initializer_list<Field> fields) {
  Write("fatal", message, fields);
  std::fflush(stderr);
  std::exit(1);
}

std::string_view CurrentRequestId() { return current_request_id; }

ScopedRequestId::ScopedRequestId(std::string request_id)
    : previous_(std::exchange(current_request_id, std::move(request_id))) {}
ScopedRequestId::~ScopedRequestId() { current_request_id = std::move(previous_); }

const TraceContext& CurrentTrace() { return current_trace; }

ScopedTrace::ScopedTrace(TraceContext trace)
    : previous_(std::exchange(current_trace, std::move(trace))) {}
ScopedTrace::~ScopedTrace() { current_trace = std::move(previous_); }

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace crm::log
