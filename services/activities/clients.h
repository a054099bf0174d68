// The customers service as the activities service asks it, on its caller's behalf, behind an
// interface so that handler tests can answer for it. The call forwards the caller's token, so
// the customers service applies the caller's own rules, and carries the caller's deadline.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/caller.h"
#include "services/activities/activity_store.h"

namespace crm::activities {

class CustomerDirectory {
 public:
  virtual ~CustomerDirectory() = default;
  // The customer `name` ("customers/{id}") and its owner as `caller` sees it: NOT_FOUND when
  // it does not exist or the caller may not read it; UNAVAILABLE (CUSTOMERS_UNAVAILABLE) when
  // the service cannot be asked.
  virtual absl::StatusOr<CustomerOwner> GetCustomer(const auth::Caller& caller,
                                                    std::string_view name) = 0;

  // The customers a ListCustomers `filter` matches among those `caller` may read, oldest
  // first, as names ("customers/{id}"): at most `limit` of them, and `more` says whether
  // others match too. A filter the customers service refuses is INVALID_ARGUMENT with one
  // violation on "filter" carrying its words; UNAVAILABLE (CUSTOMERS_UNAVAILABLE) when the
  // service cannot be asked.
  struct Matches {
    std::vector<std::string> names;
    bool more = false;
  };
  virtual absl::StatusOr<Matches> MatchCustomers(const auth::Caller& caller,
                                                 std::string_view filter, int limit) = 0;
};

// The customer a record names, checked for `caller`: INVALID_ARGUMENT on `field` when the
// caller may not read it, UNAVAILABLE when it cannot be asked.
absl::StatusOr<CustomerOwner> CheckCustomer(CustomerDirectory& customers,
                                            const auth::Caller& caller, std::string_view name,
                                            std::string_view field);

// Whether the customers service takes `filter` (one call asking for one match): INVALID_ARGUMENT
// on `field` with its words when it refuses it.
absl::Status CheckCustomerFilter(CustomerDirectory& customers, const auth::Caller& caller,
                                 std::string_view filter, std::string_view field);

// The customers `filter` names for a campaign (CampaignService), checked for `caller`:
// INVALID_ARGUMENT on `field` when the customers service refuses the filter; the names when
// at most `limit` match, else FAILED_PRECONDITION (TOO_MANY_TARGETS).
absl::StatusOr<std::vector<std::string>> ResolveCustomerFilter(CustomerDirectory& customers,
                                                               const auth::Caller& caller,
                                                               std::string_view filter,
                                                               int limit, std::string_view field);

// The real one, over `channel` (ServiceChannel), each call at most `timeout`.
std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);

}  // namespace crm::activities
