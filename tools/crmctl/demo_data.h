// The demo data set that `crmctl demo-load` creates: a few dozen customers, Chinese and
// English, companies and people, spread over industries, regions, size bands and tags, so
// that lists, filters and reports have something to show on a fresh stack.
#pragma once

#include <string_view>
#include <vector>

#include "crm/auth/v1/auth.pb.h"
#include "crm/customers/v1/customers.pb.h"

namespace crm::crmctl {

// One create request per demo customer. Request ids are fixed ("demo-owned-customer-001", ...),
// so loading the set again returns the customers created the first time and adds nothing.
std::vector<crm::customers::v1::CreateCustomerRequest> DemoCustomerRequests();

// The people at some demo companies, with relationship dates (a lunar birthday among them),
// each with the index of its company in DemoCustomerRequests(). Request ids are fixed
// ("demo-contact-001", ...), as for the customers.
struct DemoContact {
  size_t customer_index;
  crm::customers::v1::CreateContactRequest request;  // without `parent`, known once created
};
std::vector<DemoContact> DemoContactRequests();

// The demo sales team and the people around it. All share one demo password.
inline constexpr std::string_view kDemoTeam = "华东销售一组";
struct DemoUser {
  std::string_view username;
  std::string_view display_name;
  crm::auth::v1::Role role;
  bool in_team;  // member of kDemoTeam (the manager manages it)
};
std::vector<DemoUser> DemoUsers();

// Which demo user owns (creates) the i-th demo customer: the reps and the manager in turn,
// with every seventh imported by marketing, so each role has records of its own.
std::string_view DemoOwnerOf(size_t customer_index);

}  // namespace crm::crmctl
