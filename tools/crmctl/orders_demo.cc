#include "tools/crmctl/orders_demo.h"

namespace crm::crmctl {

// The order is part of the contract, as for the demo customers: request ids are derived from
// the keys, so append, never rename. Customers 0, 1 and 2 belong to li.lei, han.meimei and
// wang.fang (DemoOwnerOf), so each seller has orders of their own.
const std::vector<DemoOrder>& DemoOrders() {
  static const auto* orders = new std::vector<DemoOrder>{
      {"printers-li",
       0,
       "CNY",
       {{"LJ-2200N", 5, "5"}, {"INK-CART-K", 20, ""}},
       DemoOrderStep::kConfirmed},
      {"crm-han", 1, "CNY", {{"CRM-PRO", 50, "20"}}, DemoOrderStep::kSubmitted},
      {"projector-wang",
       2,
       "USD",
       {{"PJ-800", 2, "10"}, {"CRM-STD", 10, ""}},
       DemoOrderStep::kSubmitted},
      {"office-li",
       3,
       "CNY",
       {{"LJ-3500DN", 1, ""}, {"PJ-SCREEN", 1, "12.5"}},
       DemoOrderStep::kDraft},
  };
  return *orders;
}

}  // namespace crm::crmctl
