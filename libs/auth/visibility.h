// Record-level access for owned business records (customers now; opportunities, orders
// and activities later). One rule set, used two ways: as a SQL condition that every
// read and write statement ANDs into its WHERE (so lists, counts, searches and exports
// can never return or count an invisible row), and as an in-memory check for a record
// already loaded.
//
// Scopes by role (OwnedRecordRules, the customers' rules and every owned table's default):
//   read:  ADMIN, MARKETING, SUPPORT all; SALES_MANAGER own + owned by members of the teams
//          they manage; SALES_REP own
//   write: ADMIN all; SALES_MANAGER own + team members'; SALES_REP own; MARKETING own;
//          SUPPORT none
//   change owner: ADMIN to anyone; SALES_MANAGER, for a record they may write, to themself or
//          a member of the teams they manage
//
// A table whose records are not all alike gives its own RecordRules (e.g. the opportunities
// service: marketing reads only campaign-sourced opportunities, Scope::kMarked, with the
// table's "marked" condition in OwnerColumns).
//
// "Members of the teams they manage" is the team as it is now, not as it was when a record
// was assigned: a rep who moves to another team takes their records' visibility along. The
// service fills Principal::team_members from the auth service (TeamMembers, directory.h)
// before it asks for a condition.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "libs/api/query.h"
#include "libs/auth/principal.h"

namespace crm::auth {

// kTeam includes kOwn. kMarked: own records plus those the table marks (OwnerColumns::marked,
// e.g. "o.campaign <> ''"); on a table that marks nothing it is kOwn.
enum class Scope { kNone, kOwn, kTeam, kAll, kMarked };
enum class Operation { kRead, kWrite };

struct RecordRules {
  Scope read[6];   // indexed by Role
  Scope write[6];
  Scope ScopeFor(const Principal& principal, Operation op) const;
};

// The rules above.
const RecordRules& OwnedRecordRules();

// The column holding the owner ("users/{id}"), and the condition (no placeholders) that
// marks a row for Scope::kMarked; empty: the table marks nothing.
struct OwnerColumns {
  std::string_view owner = "owner";
  std::string_view marked;
};

// A condition with '?' placeholders: "TRUE", "FALSE", "owner = ?", "owner IN (?, ?, ?)" or,
// for kMarked, "(owner = ? OR (<marked>))".
api::SqlFragment VisibleRows(const Principal& principal, Operation op,
                             const RecordRules& rules = OwnedRecordRules(),
                             const OwnerColumns& columns = {});

// The same rule for one record; `marked` is whether the table's condition holds for it.
bool CanAccess(const Principal& principal, Operation op, std::string_view owner,
               const RecordRules& rules = OwnedRecordRules(), bool marked = false);

// OK when the principal may move a record from `from_owner` to `to_owner` (both
// "users/{id}"; for a new record both are the intended owner): an ADMIN anywhere; a
// SALES_MANAGER when `rules` let them write a record of `from_owner` and `to_owner` is
// themself or a member of the teams they manage. PERMISSION_DENIED (reason
// OWNER_CHANGE_DENIED) otherwise.
absl::Status CheckOwnerChange(const Principal& principal, std::string_view from_owner,
                              std::string_view to_owner,
                              const RecordRules& rules = OwnedRecordRules());

}  // namespace crm::auth
