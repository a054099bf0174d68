// The transactional outbox: a state change and its event are written in one transaction,
// so consumers (analytics, notifications) never miss a change nor see one that was
// rolled back. Each service's `outbox` table is served by crm.events.v1.EventFeed.
#pragma once

#include <google/protobuf/message.h>

#include <string_view>

#include "absl/status/status.h"
#include "libs/db/db.h"

namespace crm::events {

// Statement text (shared with tools/loadgen's raw SQL ceiling).
inline constexpr char kAppendSql[] =
    "INSERT INTO outbox (event_type, resource, payload, request_id, create_time) "
    "VALUES (?, ?, ?, ?, ?)";

// Appends an event of `type` (e.g. "crm.customers.v1.CustomerCreated") about `resource`
// (e.g. "customers/42") whose payload is `snapshot` packed in a google.protobuf.Any.
absl::Status Append(db::Session& tx, std::string_view type, std::string_view resource,
                    const google::protobuf::Message& snapshot);

}  // namespace crm::events
