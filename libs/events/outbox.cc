#include "libs/events/outbox.h"

#include <google/protobuf/any.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"

namespace crm::events {

namespace {

// The statement's parameters, or INTERNAL when the event breaks a rule of the outbox.
absl::StatusOr<std::vector<db::Value>> AppendParams(const NewEvent& event,
                                                    const google::protobuf::Message& snapshot) {
  if (event.actor.empty()) {
    return absl::InternalError(absl::StrCat("event ", std::string(event.type), " has no actor"));
  }
  for (const std::string& path : event.changed_paths) {
    // Stored newline-separated; field paths never contain one.
    if (path.find('\n') != std::string::npos) {
      return absl::InternalError("a changed path holds a newline");
    }
  }
  google::protobuf::Any payload;
  payload.PackFrom(snapshot);
  return std::vector<db::Value>{std::string(event.type), std::string(event.resource),
                                payload.SerializeAsString(), std::string(log::CurrentRequestId()),
                                db::FormatDateTime(absl::Now()), std::string(event.actor),
                                absl::StrJoin(event.changed_paths, "\n")};
}

}  // namespace

absl::Status Append(db::Session& tx, const NewEvent& event,
                    const google::protobuf::Message& snapshot) {
  absl::StatusOr<std::vector<db::Value>> params = AppendParams(event, snapshot);
  if (!params.ok()) return params.status();
  return tx.Execute(kAppendSql, *params).status();
}

absl::StatusOr<int64_t> AppendReturningSequence(db::Session& tx, const NewEvent& event,
                                                const google::protobuf::Message& snapshot) {
  absl::StatusOr<std::vector<db::Value>> params = AppendParams(event, snapshot);
  if (!params.ok()) return params.status();
  absl::StatusOr<db::Rows> rows = tx.Query(kAppendReturningSql, *params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError("the outbox insert returned no sequence");
  return (*rows)[0].Int(0);
}

std::string EventId(std::string_view id_prefix, int64_t sequence) {
  return absl::StrCat(std::string(id_prefix), "/", sequence);
}

}  // namespace crm::events
