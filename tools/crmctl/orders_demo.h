// The demo orders that `crmctl demo-load` creates after the customers and the catalog: one
// approval rule and a handful of orders in every early state, so the orders service, its
// approval queue and its relay have something to show on a fresh stack.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace crm::crmctl {

// The demo approval rule (request id "demo-approval-rule"): a line discount above this needs
// the team manager.
inline constexpr std::string_view kDemoDiscountLimit = "15";

struct DemoOrderLine {
  std::string_view sku;  // a DemoProducts() SKU with a price in the order's currency
  int64_t quantity;
  std::string_view discount_percent;
};

// How far demo-load takes the order after creating it.
enum class DemoOrderStep {
  kDraft,      // left as a draft
  kSubmitted,  // submitted: approved at once, or waiting for the manager (discount above the rule)
  kConfirmed,  // submitted (no approval needed) and confirmed: its effects go to the relay
};

struct DemoOrder {
  std::string_view key;   // request ids: "demo-order-<key>", "demo-submit-<key>", ...
  size_t customer_index;  // into DemoCustomerRequests(); created by DemoOwnerOf(index)
  std::string_view currency;
  std::vector<DemoOrderLine> lines;
  DemoOrderStep step;
};
const std::vector<DemoOrder>& DemoOrders();

}  // namespace crm::crmctl
