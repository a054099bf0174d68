#include "libs/grpc/trace.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsAllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

uint64_t NonZeroRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t value = 0;
  while (value == 0) value = rng();
  return value;
}

std::string NewSpanId() { return absl::StrFormat("%016x", NonZeroRandom()); }

}  // namespace

std::optional<log::TraceContext> ParseTraceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags; a future version may append fields after
  // another "-", which a version-00 reader ignores.
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  const std::string_view version = header.substr(0, 2);
  const std::string_view trace_id = header.substr(3, 32);
  const std::string_view span_id = header.substr(36, 16);
  const std::string_view flags = header.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace_id) || !IsLowerHex(span_id) ||
      !IsLowerHex(flags) || IsAllZero(trace_id) || IsAllZero(span_id)) {
    return std::nullopt;
  }
  if (version == "00" ? header.size() != 55 : header.size() > 55 && header[55] != '-') {
    return std::nullopt;
  }
  const int flag_bits = (flags[1] >= 'a' ? flags[1] - 'a' + 10 : flags[1] - '0');
  return log::TraceContext{.trace_id = std::string(trace_id),
                           .span_id = std::string(span_id),
                           .sampled = (flag_bits & 1) != 0};
}

std::string FormatTraceparent(const log::TraceContext& trace) {
  return absl::StrCat("00-", trace.trace_id, "-", trace.span_id, trace.sampled ? "-01" : "-00");
}

log::TraceContext NewTrace() {
  return {.trace_id = absl::StrFormat("%016x%016x", NonZeroRandom(), NonZeroRandom()),
          .span_id = NewSpanId(),
          .sampled = true};
}

log::TraceContext ChildSpan(const log::TraceContext& parent) {
  return {.trace_id = parent.trace_id, .span_id = NewSpanId(), .sampled = parent.sampled};
}

log::TraceContext TraceOf(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kTraceparentKey);
  if (it == md.end()) return {};
  return ParseTraceparent(std::string_view(it->second.data(), it->second.size()))
      .value_or(log::TraceContext{});
}

void PropagateTrace(grpc::ClientContext& ctx) {
  const log::TraceContext& trace = log::CurrentTrace();
  if (!trace.empty()) ctx.AddMetadata(kTraceparentKey, FormatTraceparent(trace));
}

}  // namespace crm
