#include "libs/events/outbox.h"

#include <google/protobuf/any.pb.h>

#include "absl/time/clock.h"
#include "libs/log/log.h"

namespace crm::events {
absl::Status Append(db::Session& tx, std::string_view type, std::string_view resource,
                    const google::protobuf::Message& snapshot) {
  google::protobuf::Any payload;
  payload.PackFrom(snapshot);
  return tx
      .Execute(kAppendSql, {std::string(type), std::string(resource), payload.SerializeAsString(),
                            std::string(log::CurrentRequestId()), db::FormatDateTime(absl::Now())})
      .status();
}

}  // namespace crm::events
