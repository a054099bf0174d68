// The customers service as the activities service asks it, on its caller's behalf, behind an
// interface so that handler tests can answer for it. The call forwards the caller's token, so
// the customers service applies the caller's own rules, and carries the caller's deadline.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string_view>

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
};

// The customer a record names, checked for `caller`: INVALID_ARGUMENT on `field` when the
// caller may not read it, UNAVAILABLE when it cannot be asked.
absl::StatusOr<CustomerOwner> CheckCustomer(CustomerDirectory& customers,
                                            const auth::Caller& caller, std::string_view name,
                                            std::string_view field);

// The real one, over `channel` (ServiceChannel), each call at most `timeout`.
std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);

}  // namespace crm::activities
