#include "services/orders/rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/money.h"
#include "services/orders/pricing.h"

namespace crm::orders {

std::string FormatMoney(const std::string& currency_code, int64_t minor) {
  return absl::StrCat(currency_code, " ", api::DecimalText(currency_code, minor));
}

int ApprovalLevel(Role role) {
  switch (role) {
    case auth::v1::SALES_REP:
      return 0;
    case auth::v1::SALES_MANAGER:
      return 1;
    case auth::v1::ADMIN:
      return 2;
    default:
      return -1;
  }
}

Requirement Evaluate(const std::vector<ApprovalRuleSpec>& rules, const OrderFacts& order) {
  Requirement requirement;
  for (const OrderFacts::Line& line : order.lines) {
    requirement.max_discount_bps = std::max(requirement.max_discount_bps, line.discount_bps);
  }
  for (const ApprovalRuleSpec& rule : rules) {
    std::vector<std::string> why;
    if (!rule.customer.empty()) {
      if (rule.customer != order.customer) continue;
      why.push_back(absl::StrCat("customer ", rule.customer));
    }
    if (!rule.product.empty() && !rule.discount_above_bps) {
      bool has_product = false;
      for (const OrderFacts::Line& line : order.lines) has_product |= line.product == rule.product;
      if (!has_product) continue;
      why.push_back(absl::StrCat("a line of ", rule.product));
    }
    if (rule.discount_above_bps) {
      std::vector<std::string> lines;
      for (const OrderFacts::Line& line : order.lines) {
        if (!rule.product.empty() && line.product != rule.product) continue;
        if (line.discount_bps > *rule.discount_above_bps) {
          lines.push_back(absl::StrCat("line ", line.line_number, ": ",
                                       FormatDiscountBps(line.discount_bps), "%"));
        }
      }
      if (lines.empty()) continue;
      why.push_back(absl::StrCat("a discount above ", FormatDiscountBps(*rule.discount_above_bps),
                                 "%", rule.product.empty() ? "" : " on " + rule.product, " (",
                                 absl::StrJoin(lines, ", "), ")"));
    }
    if (rule.total_at_least_minor) {
      if (rule.total_currency != order.currency_code ||
          order.total_minor < *rule.total_at_least_minor) {
        continue;
      }
      why.push_back(absl::StrCat("a total of ", FormatMoney(order.currency_code, order.total_minor),
                                 ", at least ",
                                 FormatMoney(rule.total_currency, *rule.total_at_least_minor)));
    }
    if (why.empty()) continue;  // a rule without conditions is refused on create
    if (ApprovalLevel(rule.approver_role) > ApprovalLevel(requirement.required_role)) {
      requirement.required_role = rule.approver_role;
    }
    requirement.reasons.push_back(absl::StrCat("approvalRules/", rule.id, " \"", rule.display_name,
                                               "\" (", auth::v1::Role_Name(rule.approver_role),
                                               "): ", absl::StrJoin(why, "; ")));
  }
  return requirement;
}

bool NeedsApproval(Role submitter, const Requirement& requirement) {
  return requirement.required_role != auth::v1::ROLE_UNSPECIFIED &&
         ApprovalLevel(requirement.required_role) > ApprovalLevel(submitter);
}

}  // namespace crm::orders
