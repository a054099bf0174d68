// Input rules of the orders service: what a valid order, line, return, approval rule,
// shipment report and payment notice is, and the normal form each is kept in. The limits are
// the ones documented in proto/crm/orders/v1/orders.proto. Output-only fields are not looked
// at (the service clears them).
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/orders/v1/orders.pb.h"

namespace crm::orders {

struct Limits {
  static constexpr int kLines = 100;
  static constexpr int64_t kMaxQuantity = 1'000'000;
  static constexpr int kNotes = 4000;
  static constexpr int kComment = 2000;
  static constexpr int kShortText = 100;  // recipient, province, city
  static constexpr int kStreet = 500;
  static constexpr int kPostalCode = 16;
  static constexpr int kReference = 128;  // external references
  static constexpr int kCarrier = 64;
  static constexpr int kMethod = 32;
  static constexpr int kRuleName = 200;
  static constexpr int kReturnLines = 100;
};

// An order as CreateOrder or UpdateOrder leaves it: references well formed, currency known,
// lines checked (product, quantity, discount normalised), address, date and notes. `now`
// bounds order_time (not in the future; a minute of clock skew allowed). A missing customer is
// accepted only when `customer_optional` (an opportunity will supply it).
absl::Status NormalizeAndValidateOrder(v1::Order& order, std::string_view prefix, absl::Time now,
                                       bool customer_optional);

// A comment or reason: at most kComment characters, newlines allowed; required or not.
absl::Status ValidateComment(std::string* text, std::string_view field, bool required);

absl::Status NormalizeAndValidateRule(v1::ApprovalRule& rule, std::string_view prefix);

// A return's own fields (the lines against the order are the store's to check).
absl::Status NormalizeAndValidateReturn(v1::Return& request, std::string_view prefix);

absl::Status ValidateShipmentReport(v1::RecordShipmentRequest& request);
absl::Status ValidatePaymentNotice(v1::RecordPaymentRequest& request);

}  // namespace crm::orders
