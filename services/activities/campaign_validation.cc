#include "services/activities/campaign_validation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

constexpr int kCode = 64;
constexpr int kTitle = 200;
constexpr int kGoal = 2000;
constexpr int kPlace = 200;
constexpr int kParticipants = 100;
constexpr int kFilter = 2000;
constexpr int kNotes = 4000;
constexpr int kFeedback = 4000;

bool Set(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

// The code leads and opportunities carry: the opportunities service's rule for `campaign`.
bool ValidCode(std::string_view code) {
  if (code.empty() || code.size() > kCode) return false;
  for (char c : code) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Names of `collection`, at most `max`, no repeats.
void CheckNames(api::FieldChecker& check,
                const google::protobuf::RepeatedPtrField<std::string>& names,
                std::string_view field, std::string_view collection, int max) {
  check.Count(names.size(), field, max, field);
  std::set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string path = absl::StrCat(std::string(field), "[", i, "]");
    if (!api::ParseResourceId(names[i], collection).ok()) {
      check.Add(path, absl::StrCat("must be a name like \"", std::string(collection), "/42\""));
    } else if (!seen.insert(names[i]).second) {
      check.Add(path, "is given twice");
    }
  }
}

// An amount in the budget's currency, not negative.
void CheckAmount(api::FieldChecker& check, const common::v1::Money& money, std::string_view field,
                 std::string_view currency) {
  if (!api::ToMinorUnits(money, check, field)) return;
  if (money.currency_code() != currency) {
    check.Add(field,
              absl::StrCat("must be in the budget's currency (", std::string(currency), ")"));
  }
}

}  // namespace

void ClearOutputOnly(v1::Campaign& c) {
  c.clear_name();
  c.clear_etag();
  c.clear_state();
  c.clear_creator();
  c.clear_create_time();
  c.clear_update_time();
  c.clear_close_time();
}

absl::Status NormalizeAndValidateCampaign(v1::Campaign& c, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  if (!ValidCode(c.code())) check.Add("code", "must be 1-64 characters of A-Z, a-z, 0-9, _ . -");
  check.Text(c.mutable_title(), "title", kTitle, true);
  if (c.type() == v1::Campaign::TYPE_UNSPECIFIED || !v1::Campaign::Type_IsValid(c.type())) {
    check.Add("type", "must be MARKET_PROMOTION, EXHIBITION or CUSTOMER_VISIT_PLAN");
  }
  check.Text(c.mutable_goal(), "goal", kGoal, false, /*multiline=*/true);
  if (!Set(c.start_time())) check.Add("start_time", "is required");
  if (!Set(c.end_time())) check.Add("end_time", "is required");
  if (Set(c.start_time()) && Set(c.end_time()) &&
      FromTimestamp(c.end_time()) <= FromTimestamp(c.start_time())) {
    check.Add("end_time", "must be after start_time");
  }
  check.Text(c.mutable_place(), "place", kPlace, false);
  CheckNames(check, c.participants(), "participants", "users", kParticipants);
  CheckNames(check, c.target_customers(), "target_customers", "customers", kMaxCampaignTargets);
  check.Text(c.mutable_customer_filter(), "customer_filter", kFilter, false);
  const std::string currency = c.budget().currency_code();
  if (!c.has_budget()) {
    check.Add("budget", "is required");
  } else if (api::ToMinorUnits(c.budget(), check, "budget")) {
    if (c.expected().revenue().currency_code().empty()) {
      *c.mutable_expected()->mutable_revenue() = api::FromMinorUnits(currency, 0);
    }
    CheckAmount(check, c.expected().revenue(), "expected.revenue", currency);
    if (c.has_actual_cost()) CheckAmount(check, c.actual_cost(), "actual_cost", currency);
  }
  if (c.expected().leads() < 0) check.Add("expected.leads", "must not be negative");
  if (c.expected().opportunities() < 0) check.Add("expected.opportunities", "must not be negative");
  if (c.actual_attendance() < 0) check.Add("actual_attendance", "must not be negative");
  check.Text(c.mutable_notes(), "notes", kNotes, false, /*multiline=*/true);
  return violations.ToStatus("invalid campaign");
}

absl::Status NormalizeAndValidateFeedback(v1::CampaignFeedback& f, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  if (!api::ParseResourceId(f.customer(), "customers").ok()) {
    check.Add("customer", "must be a customer name like \"customers/42\"");
  }
  if (f.rating() < 0 || f.rating() > 5) check.Add("rating", "must be 0 (none) or 1 to 5");
  check.Text(f.mutable_feedback(), "feedback", kFeedback, false, /*multiline=*/true);
  return violations.ToStatus("invalid feedback");
}

}  // namespace crm::activities
