// The one declarative table of who may call what: full gRPC method name → the roles
// allowed, or public. Every service and the gateway consult it; a method missing from the
// table is denied to everyone (tests check that every crm.* method has a row).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/auth/principal.h"

namespace crm::auth {

enum class Access {
  kPublic,          // no token anywhere (Login, RefreshToken, GetPublicKeys)
  kInternalPublic,  // no token on the owning service, a token at the gateway
                    // (verification material that verifiers fetch directly)
  kRoles,           // a valid token whose role is listed
};

struct MethodRule {
  std::string_view method;  // "/crm.customers.v1.CustomerService/GetCustomer"
  Access access = Access::kRoles;
  std::vector<Role> roles;  // for kRoles
};

class Policy final {
 public:
  explicit Policy(std::vector<MethodRule> rules);
  // The table for every crm.* service (policy.cc).
  static const Policy& Default();

  // Null when the method is not in the table.
  const MethodRule* Find(std::string_view method) const;
  // Whether a call needs no token at the service itself / at the gateway.
  bool PublicAtService(std::string_view method) const;
  bool PublicAtGateway(std::string_view method) const;
  // PERMISSION_DENIED (reason PERMISSION_DENIED) when the principal's role is not listed,
  // or the method is not in the table (reason METHOD_NOT_IN_POLICY).
  absl::Status Check(const Principal& principal, std::string_view method) const;
  const std::vector<MethodRule>& rules() const { return rules_; }

 private:
  std::vector<MethodRule> rules_;
};

}  // namespace crm::auth
