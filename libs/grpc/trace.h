// W3C trace context over gRPC: the `traceparent` header
// ("00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>").
//
// Server side (the interceptor every ServerRunner installs): a call's trace is the caller's
// trace id with a new span id for this server's part, or a new trace when the caller sent no
// valid traceparent (the gateway starts one for every client call that has none). The
// interceptor replaces the call's `traceparent` metadata with this server's own, so handlers,
// the gateway's proxy (which forwards the client's metadata) and TraceOf() all see the span that
// outgoing calls must name as their parent. Handlers run with it as log::CurrentTrace()
// (RunBlocking in executor.h), so their log lines carry it.
//
// Client side: PropagateTrace puts the thread's current trace on an outgoing call (ClientCall
// in channel.h does it), so the callee's log lines carry the same trace id.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <optional>
#include <string>
#include <string_view>

#include "libs/log/trace.h"

namespace crm {

inline constexpr char kTraceparentKey[] = "traceparent";

// The trace id, span (parent) id and sampled flag of a traceparent header value; nullopt for
// anything the W3C format rejects (unknown version 00 layout, upper-case hex, all-zero ids,
// version ff).
std::optional<log::TraceContext> ParseTraceparent(std::string_view header);
// "00-<trace_id>-<span_id>-<01|00>".
std::string FormatTraceparent(const log::TraceContext& trace);

// A new trace with a random trace id and span id, sampled.
log::TraceContext NewTrace();
// The same trace, a new span id (this server's part of it).
log::TraceContext ChildSpan(const log::TraceContext& parent);

// The trace of a call being served (as the interceptor set it); empty for a context the
// interceptor never saw.
log::TraceContext TraceOf(const grpc::ServerContextBase& ctx);

// Adds `traceparent` naming the thread's current trace (its span as the parent) to an
// outgoing call; does nothing when the thread serves no traced request.
void PropagateTrace(grpc::ClientContext& ctx);

}  // namespace crm
