#include "libs/events/outbox.h"

#include "absl/time/clock.h"
#include "libs/log/log.h"
#include <google/protobuf/any.pb.h>

namespace crm::events {
namespace {

constexpr char kAppend[] =
    "INSERT INTO outbox (event_type, resource, payload, request_id, create_time) "
    "VALUES (?, ?, ?, ?, ?)";

}  // namespace

absl::Status Append(db::Session& tx, std::string_view type, std::string_view resource,
                    const google::protobuf::Message& snapshot) {
  google::protobuf::Any payload;
  payload.PackFrom(snapshot);
  return tx.Execute(kAppend, {std::string(type), std::string(resource),
                              payload.SerializeAsString(), std::string(log::CurrentRequestId()),
                              db::FormatDateTime(absl::Now())})
      .status();
}

}  // namespace crm::events
