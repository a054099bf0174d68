#include "services/auth/service_account_store.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/principal.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/auth/audit_store.h"

namespace crm::auth_service {
namespace sql {

constexpr char kSelectAccount[] =
    "SELECT name, secret_sha256, active FROM service_accounts WHERE name = ?";
constexpr char kSelectAccountsForUpdate[] =
    "SELECT name, secret_sha256, active FROM service_accounts ORDER BY name FOR UPDATE";
constexpr char kInsertAccount[] =
    "INSERT INTO service_accounts (name, secret_sha256, active, create_time, update_time) "
    "VALUES (?, ?, 1, ?, ?)";
constexpr char kUpdateAccount[] =
    "UPDATE service_accounts SET secret_sha256 = ?, active = ?, update_time = ?, "
    "version = version + 1 WHERE name = ?";
constexpr char kListAccounts[] =
    "SELECT name, active, create_time, update_time FROM service_accounts ORDER BY name";

}  // namespace sql

absl::StatusOr<std::optional<ServiceCredentials>> ServiceAccountStore::Find(std::string_view name) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectAccount, {std::string(name)}));
  if (rows.empty()) return std::nullopt;
  return ServiceCredentials{rows[0].Str(0), rows[0].Str(1), rows[0].Int(2) != 0};
}

absl::StatusOr<int> ServiceAccountStore::Provision(
    const std::map<std::string, std::string>& declared) {
  int changes = 0;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    changes = 0;
    const absl::Time now = clock_.Now();
    const std::string now_text = db::FormatDateTime(now);
    auto audit = [&](const std::string& name, std::string detail) {
      ++changes;
      return AppendAudit(tx,
                         {.action = v1::SERVICE_ACCOUNT_CHANGED,
                          .username = auth::ServicePrincipal(name),
                          .detail = std::move(detail)},
                         now);
    };
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectAccountsForUpdate, {}));
    std::map<std::string, ServiceCredentials> stored;
    for (const auto& row : rows) {
      stored[row.Str(0)] = ServiceCredentials{row.Str(0), row.Str(1), row.Int(2) != 0};
    }
    for (const auto& [name, secret_sha256] : declared) {
      auto it = stored.find(name);
      if (it == stored.end()) {
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kInsertAccount, {name, secret_sha256, now_text, now_text}).status());
        CRM_RETURN_IF_ERROR(audit(name, "provisioned"));
        continue;
      }
      const ServiceCredentials& current = it->second;
      if (current.secret_sha256 == secret_sha256 && current.active) continue;
      CRM_RETURN_IF_ERROR(
          tx.Execute(sql::kUpdateAccount, {secret_sha256, int64_t{1}, now_text, name}).status());
      CRM_RETURN_IF_ERROR(audit(name, !current.active && current.secret_sha256 != secret_sha256
                                          ? "reactivated with a new secret"
                                      : !current.active ? "reactivated"
                                                        : "new secret"));
    }
    for (const auto& [name, current] : stored) {
      if (!current.active || declared.contains(name)) continue;
      CRM_RETURN_IF_ERROR(
          tx.Execute(sql::kUpdateAccount, {current.secret_sha256, int64_t{0}, now_text, name})
              .status());
      CRM_RETURN_IF_ERROR(audit(name, "deactivated: not in --service_accounts"));
    }
    return absl::OkStatus();
  }));
  return changes;
}

absl::StatusOr<std::vector<v1::ServiceAccount>> ServiceAccountStore::List() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kListAccounts, {}));
  std::vector<v1::ServiceAccount> accounts;
  for (const auto& row : rows) {
    v1::ServiceAccount& account = accounts.emplace_back();
    account.set_name(auth::ServicePrincipal(row.Str(0)));
    account.set_active(row.Int(1) != 0);
    *account.mutable_create_time() = TimestampFromDateTime(row.Str(2));
    *account.mutable_update_time() = TimestampFromDateTime(row.Str(3));
  }
  return accounts;
}

}  // namespace crm::auth_service
