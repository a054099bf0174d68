// The transactional outbox: a state change and its event are written in one transaction,
// so consumers (analytics, notifications) never miss a change nor see one that was
// rolled back. Each service's `outbox` table (created by db::Migrate's platform track) is
// served by crm.events.v1.EventFeed.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/db/db.h"

namespace crm::events {

// Statement text (shared with tools/loadgen's raw SQL ceiling). changed_paths is stored
// newline-separated.
inline constexpr char kAppendSql[] =
    "INSERT INTO outbox (event_type, resource, payload, request_id, create_time, actor, "
    "changed_paths) VALUES (?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kAppendReturningSql[] =
    "INSERT INTO outbox (event_type, resource, payload, request_id, create_time, actor, "
    "changed_paths) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING sequence";

// What an event says besides its payload (crm.events.v1.Event documents each field).
struct NewEvent {
  std::string_view type;      // e.g. "crm.customers.v1.CustomerCreated"
  std::string_view resource;  // e.g. "customers/42"
  // Who made the change: "users/{id}", or "services/{name}" for the service itself.
  // Required: an event nobody caused is a bug in the caller.
  std::string_view actor;
  // For updates, the top-level field paths whose values changed (api::ChangedPaths);
  // empty for creates and deletes.
  std::vector<std::string> changed_paths;
};

// Appends `event` with `snapshot` (the resource after the change, or before a deletion)
// packed in a google.protobuf.Any, and the current request id. INTERNAL when the actor is
// missing or a changed path holds a newline.
absl::Status Append(db::Session& tx, const NewEvent& event,
                    const google::protobuf::Message& snapshot);

// Append, returning the event's sequence, for a writer that refers to the event in the same
// transaction: its Event.id on the feed is "<id prefix>/<sequence>" (EventId), e.g. the key
// an integration relay sends so that the external side applies the effect once.
absl::StatusOr<int64_t> AppendReturningSequence(db::Session& tx, const NewEvent& event,
                                                const google::protobuf::Message& snapshot);

// The Event.id the feed gives the outbox row `sequence` ("orders.crm/42" for the prefix
// "orders.crm", the service's ErrorInfo domain).
std::string EventId(std::string_view id_prefix, int64_t sequence);
// Append() for many events at once (bulk imports and rollbacks), in sequence order, in
// multi-row statements of at most 64 events. `snapshot` must outlive the call.
struct EventWithSnapshot {
  NewEvent event;
  const google::protobuf::Message* snapshot = nullptr;
};
absl::Status AppendAll(db::Session& tx, std::span<const EventWithSnapshot> events);

}  // namespace crm::events
