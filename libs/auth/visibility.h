// Record-level access for owned business records (customers now; opportunities, orders
// and activities later). One rule set, used two ways: as a SQL condition that every
// read and write statement ANDs into its WHERE (so lists, counts, searches and exports
// can never return or count an invisible row), and as an in-memory check for a record
// already loaded.
//
// Scopes by role (OwnedRecordRules):
//   read:  ADMIN, MARKETING, SUPPORT all; SALES_MANAGER own + managed teams; SALES_REP own
//   write: ADMIN all; SALES_MANAGER own + managed teams; SALES_REP own; MARKETING own;
//          SUPPORT none
//   change owner: ADMIN to anyone; SALES_MANAGER from and to members of managed teams
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "libs/api/query.h"
#include "libs/auth/principal.h"

namespace crm::auth {

enum class Scope { kNone, kOwn, kTeam, kAll };  // kTeam includes kOwn
enum class Operation { kRead, kWrite };

struct RecordRules {
  Scope read[6];   // indexed by Role
  Scope write[6];
  Scope ScopeFor(const Principal& principal, Operation op) const;
};

// The rules above.
const RecordRules& OwnedRecordRules();

// Columns holding the owner ("users/{id}") and the owner's team ("teams/{id}" or "").
struct OwnerColumns {
  std::string_view owner = "owner";
  std::string_view owner_team = "owner_team";
};

// A condition with '?' placeholders: "TRUE", "FALSE", "owner = ?" or
// "(owner = ? OR owner_team IN (?, ?))".
api::SqlFragment VisibleRows(const Principal& principal, Operation op,
                             const RecordRules& rules = OwnedRecordRules(),
                             const OwnerColumns& columns = {});

// The same rule for one record.
bool CanAccess(const Principal& principal, Operation op, std::string_view owner,
               std::string_view owner_team, const RecordRules& rules = OwnedRecordRules());

// OK when the principal may move a record from an owner in `from_team` to an owner in
// `to_team`; PERMISSION_DENIED (reason OWNER_CHANGE_DENIED) otherwise.
absl::Status CheckOwnerChange(const Principal& principal, std::string_view from_team,
                              std::string_view to_team);

}  // namespace crm::auth
