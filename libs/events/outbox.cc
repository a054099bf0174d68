#include "libs/events/outbox.h"

#include <google/protobuf/any.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"

namespace crm::events {

absl::Status Append(db::Session& tx, const NewEvent& event,
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
  return tx
      .Execute(kAppendSql,
               {std::string(event.type), std::string(event.resource), payload.SerializeAsString(),
                std::string(log::CurrentRequestId()), db::FormatDateTime(absl::Now()),
                std::string(event.actor), absl::StrJoin(event.changed_paths, "\n")})
      .status();
}

}  // namespace crm::events
