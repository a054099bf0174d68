// Discount approval rules as pure functions: which rules an order matches, the role they ask
// for, and whether the submitter's own role already covers it (orders.proto, "Discount
// approval"). The store loads the rules; the service asks the directory for the approver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/auth/v1/auth.pb.h"

namespace crm::orders {

using Role = auth::v1::Role;

struct ApprovalRuleSpec {
  int64_t id = 0;
  std::string display_name;
  Role approver_role = auth::v1::ROLE_UNSPECIFIED;
  std::optional<int> discount_above_bps;
  std::optional<int64_t> total_at_least_minor;
  std::string total_currency;
  std::string customer;  // "" : any
  std::string product;   // "" : any
};

// What the rules look at in an order.
struct OrderFacts {
  struct Line {
    int line_number = 0;
    std::string product;
    int discount_bps = 0;
  };
  std::string customer;
  std::string currency_code;
  int64_t total_minor = 0;
  std::vector<Line> lines;
};

struct Requirement {
  // The highest approver_role of the matching rules; ROLE_UNSPECIFIED when none matches.
  Role required_role = auth::v1::ROLE_UNSPECIFIED;
  // One line per matching rule, in rule order.
  std::vector<std::string> reasons;
  int max_discount_bps = 0;  // over all lines
};

Requirement Evaluate(const std::vector<ApprovalRuleSpec>& rules, const OrderFacts& order);

// SALES_REP 0, SALES_MANAGER 1, ADMIN 2; -1 for roles that do not sell.
int ApprovalLevel(Role role);

// Whether an order submitted by `submitter` needs someone else's approval.
bool NeedsApproval(Role submitter, const Requirement& requirement);

// "CNY 1234.50": minor units in the currency's decimals, for messages.
std::string FormatMoney(const std::string& currency_code, int64_t minor);

}  // namespace crm::orders
