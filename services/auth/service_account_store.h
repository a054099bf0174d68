// SQL for service accounts: each of the suite's services may hold one ("services/{name}")
// and exchange its secret for tokens naming it (SignIn::IssueServiceToken). The accounts
// are declared, not managed through the API: Provision makes the table match the
// --service_accounts flag at start-up, with an audit row per change, in one transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/auth/v1/auth.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/auth/rows.h"

namespace crm::auth_service {

// A service account's sign-in material. Never leaves the service.
struct ServiceCredentials {
  std::string name;           // "analytics"
  std::string secret_sha256;  // 64 lower-case hex digits
  bool active = false;
};

class ServiceAccountStore final {
 public:
  ServiceAccountStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // The account named `name` ("analytics"), active or not.
  absl::StatusOr<std::optional<ServiceCredentials>> Find(std::string_view name);

  // Makes the table match `declared` (name → SHA-256 hex of the secret): creates the
  // accounts that are missing, replaces secrets that changed, reactivates listed accounts
  // and deactivates every other one, writing SERVICE_ACCOUNT_CHANGED for each change.
  // Returns how many accounts changed.
  absl::StatusOr<int> Provision(const std::map<std::string, std::string>& declared);

  // Every account, by name.
  absl::StatusOr<std::vector<v1::ServiceAccount>> List();

 private:
  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::auth_service
