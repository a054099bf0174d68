// What a service that follows other services' feeds (libs/events/consumer.h) needs to read
// their payloads: the error for a payload that is not what its event type promises, and the
// minor units of an amount the producing service already checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "crm/common/v1/money.pb.h"
#include "crm/events/v1/events.pb.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/grpc/status.h"

namespace crm::events {

// DATA_LOSS (CORRUPT_EVENT) for an event whose payload is not what its type promises: the
// consumer retries it rather than skip it, and the log says which.
inline absl::Status CorruptEvent(const v1::Event& event, std::string_view what) {
  return Error(absl::StatusCode::kDataLoss, "CORRUPT_EVENT",
               absl::StrCat("a ", event.type(), " event without its ", std::string(what)));
}

// The minor units of an amount that was checked already (by the service that sent it, or by
// this one before storing it); nullopt when it breaks api::ToMinorUnits' rules after all.
// Negative amounts pass.
inline std::optional<int64_t> CheckedMinorUnits(const common::v1::Money& money) {
  Violations violations;
  api::FieldChecker check(violations, "");
  return api::ToMinorUnits(money, check, "amount", /*allow_negative=*/true);
}

}  // namespace crm::events
