#include "libs/api/internal.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::api::internal {

absl::Status InvalidInput(std::string_view reason, std::string_view field,
                          std::string_view description) {
  const std::string message = absl::StrCat("invalid ", AsAbsl(field), ": ", AsAbsl(description));
  // crm::InvalidArgument always says INVALID_ARGUMENT and crm::Error never carries
  // violations, so take the reason from one and the BadRequest payload from the other.
  absl::Status status = crm::Error(absl::StatusCode::kInvalidArgument, reason, message);
  const absl::Status with_violation =
      crm::InvalidArgument(message, {{std::string(field), std::string(description)}});
  with_violation.ForEachPayload([&status](absl::string_view url, const absl::Cord& payload) {
    if (!status.GetPayload(url).has_value()) status.SetPayload(url, payload);
  });
  return status;
}

}  // namespace crm::api::internal
