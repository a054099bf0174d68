#include "services/orders/validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/orders/pricing.h"

namespace crm::orders {
namespace {

// Trims `name` and checks it is "<collection>/<id>" (or empty, unless required).
void CheckName(std::string* name, std::string_view field, std::string_view collection,
               bool required, api::FieldChecker& check) {
  *name = api::Trim(*name);
  if (name->empty()) {
    if (required) check.Add(field, "is required");
    return;
  }
  if (!api::ParseResourceId(*name, collection).ok()) {
    check.Add(field, absl::StrCat("must be a name like \"", std::string(collection), "/42\""));
  }
}

bool ValidDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  absl::CivilDay day;
  return absl::ParseCivilTime(std::string(text), &day) &&
         absl::FormatCivilTime(day) == std::string(text);
}

void CheckAddress(v1::ShippingAddress* address, api::FieldChecker& check) {
  check.Text(address->mutable_recipient(), "shipping_address.recipient", Limits::kShortText, false);
  check.Text(address->mutable_province(), "shipping_address.province", Limits::kShortText, false);
  check.Text(address->mutable_city(), "shipping_address.city", Limits::kShortText, false);
  check.Text(address->mutable_street(), "shipping_address.street", Limits::kStreet, false);
  check.Text(address->mutable_postal_code(), "shipping_address.postal_code", Limits::kPostalCode,
             false);
  address->set_country(absl::AsciiStrToUpper(api::Trim(address->country())));
  if (!address->country().empty() &&
      (address->country().size() != 2 || !absl::ascii_isalpha(address->country()[0]) ||
       !absl::ascii_isalpha(address->country()[1]))) {
    check.Add("shipping_address.country", "must be an ISO 3166-1 alpha-2 code like \"CN\"");
  }
  *address->mutable_phone() = api::Trim(address->phone());
  if (!address->phone().empty()) {
    check.Phone(address->mutable_phone(), "shipping_address.phone",
                address->country().empty() ? "CN" : address->country());
  }
}

}  // namespace

absl::Status NormalizeAndValidateOrder(v1::Order& order, std::string_view prefix, absl::Time now,
                                       bool customer_optional) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  CheckName(order.mutable_customer(), "customer", "customers", !customer_optional, check);
  CheckName(order.mutable_opportunity(), "opportunity", "opportunities", false, check);
  CheckName(order.mutable_owner(), "owner", "users", false, check);
  order.set_currency_code(absl::AsciiStrToUpper(api::Trim(order.currency_code())));
  if (order.currency_code().empty()) {
    check.Add("currency_code", "is required (an ISO 4217 code such as \"CNY\")");
  } else if (!api::ValidCurrency(order.currency_code())) {
    check.Add("currency_code", "is not an ISO 4217 currency in use");
  }
  if (order.has_order_time() && FromTimestamp(order.order_time()) > now + absl::Minutes(1)) {
    check.Add("order_time", "cannot be in the future");
  }
  order.set_requested_delivery_date(api::Trim(order.requested_delivery_date()));
  if (!order.requested_delivery_date().empty() && !ValidDate(order.requested_delivery_date())) {
    check.Add("requested_delivery_date", "must be a date like \"2026-12-31\"");
  }
  if (order.has_shipping_address()) CheckAddress(order.mutable_shipping_address(), check);
  check.Text(order.mutable_notes(), "notes", Limits::kNotes, false, /*multiline=*/true);

  check.Count(order.lines_size(), "lines", Limits::kLines, "lines");
  std::set<int> numbers;
  for (int i = 0; i < order.lines_size(); ++i) {
    v1::OrderLine* line = order.mutable_lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    CheckName(line->mutable_product(), at + ".product", "products", true, check);
    if (line->quantity() < 1 || line->quantity() > Limits::kMaxQuantity) {
      check.Add(at + ".quantity", "must be 1 to 1,000,000 units");
    }
    const std::optional<int> bps = ParseDiscountBps(api::Trim(line->discount_percent()));
    if (!bps) {
      check.Add(at + ".discount_percent",
                "must be a percentage from 0 to 100 with at most two decimals, like \"12.5\"");
    } else {
      line->set_discount_percent(FormatDiscountBps(*bps));
    }
    if (line->line_number() < 0 || (line->line_number() > 0 && !numbers.insert(line->line_number()).second)) {
      check.Add(at + ".line_number", "names a line twice");
    }
  }
  return violations.ToStatus("invalid order");
}

absl::Status ValidateComment(std::string* text, std::string_view field, bool required) {
  Violations violations;
  api::FieldChecker check(violations, "");
  check.Text(text, field, Limits::kComment, required, /*multiline=*/true);
  return violations.ToStatus();
}

absl::Status NormalizeAndValidateRule(v1::ApprovalRule& rule, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(rule.mutable_display_name(), "display_name", Limits::kRuleName, true);
  if (rule.approver_role() != auth::v1::SALES_MANAGER && rule.approver_role() != auth::v1::ADMIN) {
    check.Add("approver_role", "must be SALES_MANAGER or ADMIN");
  }
  bool any = false;
  rule.set_discount_percent_above(api::Trim(rule.discount_percent_above()));
  if (!rule.discount_percent_above().empty()) {
    any = true;
    const std::optional<int> bps = ParseDiscountBps(rule.discount_percent_above());
    if (!bps || *bps >= kFullDiscountBps) {
      check.Add("discount_percent_above", "must be a percentage from 0 to below 100, like \"10\"");
    } else {
      rule.set_discount_percent_above(FormatDiscountBps(*bps));
    }
  }
  if (rule.has_total_at_least()) {
    any = true;
    api::ToMinorUnits(rule.total_at_least(), check, "total_at_least");
  }
  CheckName(rule.mutable_customer(), "customer", "customers", false, check);
  CheckName(rule.mutable_product(), "product", "products", false, check);
  any = any || !rule.customer().empty() || !rule.product().empty();
  if (!any) {
    // The rule as a whole (the message's own path, not one of its fields).
    violations.Add(std::string(prefix), "needs at least one condition: discount_percent_above, "
                                        "total_at_least, customer or product");
  }
  return violations.ToStatus("invalid approval rule");
}

absl::Status NormalizeAndValidateReturn(v1::Return& request, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  CheckName(request.mutable_order(), "order", "orders", true, check);
  check.Text(request.mutable_reason(), "reason", Limits::kComment, true, /*multiline=*/true);
  if (request.requested_resolution() == v1::RETURN_RESOLUTION_UNSPECIFIED) {
    request.set_requested_resolution(v1::REFUND);
  } else if (!v1::ReturnResolution_IsValid(request.requested_resolution())) {
    check.Add("requested_resolution", "is not REFUND or REPLACEMENT");
  }
  if (request.lines().empty()) check.Add("lines", "needs at least one line");
  check.Count(request.lines_size(), "lines", Limits::kReturnLines, "lines");
  std::set<int> numbers;
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::ReturnLine& line = request.lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    if (line.line_number() < 1) check.Add(at + ".line_number", "is required");
    if (!numbers.insert(line.line_number()).second) check.Add(at + ".line_number", "appears twice");
    if (line.quantity() < 1 || line.quantity() > Limits::kMaxQuantity) {
      check.Add(at + ".quantity", "must be 1 to 1,000,000 units");
    }
  }
  return violations.ToStatus("invalid return");
}

absl::Status ValidateShipmentReport(v1::RecordShipmentRequest& request) {
  Violations violations;
  api::FieldChecker check(violations, "");
  CheckName(request.mutable_order(), "order", "orders", true, check);
  check.Text(request.mutable_external_reference(), "external_reference", Limits::kReference, true);
  if (request.status() != v1::SHIPMENT_SHIPPED && request.status() != v1::SHIPMENT_DELIVERED) {
    check.Add("status", "must be SHIPMENT_SHIPPED or SHIPMENT_DELIVERED");
  }
  check.Text(request.mutable_carrier(), "carrier", Limits::kCarrier, false);
  check.Text(request.mutable_tracking_number(), "tracking_number", Limits::kCarrier, false);
  std::set<int> numbers;
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::ShipmentLine& line = request.lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    if (line.line_number() < 1) check.Add(at + ".line_number", "is required");
    if (!numbers.insert(line.line_number()).second) check.Add(at + ".line_number", "appears twice");
    if (line.quantity() < 1 || line.quantity() > Limits::kMaxQuantity) {
      check.Add(at + ".quantity", "must be 1 to 1,000,000 units");
    }
  }
  return violations.ToStatus("invalid shipment report");
}

absl::Status ValidatePaymentNotice(v1::RecordPaymentRequest& request) {
  Violations violations;
  api::FieldChecker check(violations, "");
  CheckName(request.mutable_order(), "order", "orders", true, check);
  check.Text(request.mutable_external_reference(), "external_reference", Limits::kReference, true);
  check.Text(request.mutable_method(), "method", Limits::kMethod, false);
  if (!request.has_amount()) {
    check.Add("amount", "is required");
  } else if (std::optional<int64_t> minor = api::ToMinorUnits(request.amount(), check, "amount");
             minor && *minor == 0) {
    check.Add("amount", "must be above zero");
  }
  return violations.ToStatus("invalid payment notice");
}

}  // namespace crm::orders
