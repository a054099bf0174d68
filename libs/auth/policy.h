// The one declarative table of who may call what: full gRPC method name → the roles and
// the services (acting as themselves) allowed, or public. Every service and the gateway
// consult it; a method missing from the table is denied to everyone (tests check that every
// crm.* method has a row, that no service may call an ADMIN-only method and that every
// service named is one of the suite's).
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
  kRoles,           // a valid token whose role (user) or service name (service) is listed
};

struct MethodRule {
  std::string_view method;  // "/crm.customers.v1.CustomerService/GetCustomer"
  Access access = Access::kRoles;
  std::vector<Role> roles;  // for kRoles: the users' roles allowed
  // For kRoles: the services allowed to call as themselves, by name ("analytics"). A row
  // with services and no roles is service-only: no user token passes it.
  std::vector<std::string_view> services;
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
  // PERMISSION_DENIED (reason PERMISSION_DENIED) when the principal's role (a user) or
  // name (a service) is not listed, or the method is not in the table (reason
  // METHOD_NOT_IN_POLICY).
  absl::Status Check(const Principal& principal, std::string_view method) const;
  const std::vector<MethodRule>& rules() const { return rules_; }

 private:
  std::vector<MethodRule> rules_;
};

}  // namespace crm::auth
