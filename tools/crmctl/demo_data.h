// The demo data set that `crmctl demo-load` creates: a few dozen customers, Chinese and
// English, companies and people, spread over industries, regions, size bands and tags, so
// that lists, filters and reports have something to show on a fresh stack.
#pragma once

#include <vector>

#include "crm/customers/v1/customers.pb.h"

namespace crm::crmctl {

// One create request per demo customer. Request ids are fixed ("demo-customer-001", ...),
// so loading the set again returns the customers created the first time and adds nothing.
std::vector<crm::customers::v1::CreateCustomerRequest> DemoCustomerRequests();

}  // namespace crm::crmctl
