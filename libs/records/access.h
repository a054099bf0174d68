// Who may do what to owned business records (customers, leads, opportunities, orders …), in
// one place for every service: the policy row of the method, the record rules of the role
// (libs/auth/visibility.h) with a manager's current team members resolved, and the rules for
// giving a record to another owner. A handler asks once per call:
//
//   CRM_ASSIGN_OR_RETURN(records::Access access, access_.For(caller, kUpdateMethod));
//
// and hands `access` to the store, which turns it into SQL conditions (OwnedRecords) and
// checks owner changes with it. Nothing else in a service decides access. A table with rules
// of its own names them: access_.For(caller, kGetMethod, OpportunityRules()).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/api/query.h"
#include "libs/auth/caller.h"
#include "libs/auth/directory.h"
#include "libs/auth/policy.h"
#include "libs/auth/visibility.h"

namespace crm::records {

class AccessResolver;

// One caller's access, for the length of one call.
class Access final {
 public:
  const auth::Principal& principal() const { return principal_; }
  const auth::Caller& caller() const { return *caller_; }
  // "users/{id}" or "services/{name}": who the audit trail and events name.
  const std::string& actor() const { return actor_; }

  // The rows the caller may read or write, as a condition on the owner column (and the
  // table's marked condition), for a WHERE.
  api::SqlFragment Rows(auth::Operation op, const auth::OwnerColumns& columns) const;
  // The same for a table that marks nothing, by its owner column ("c.owner").
  api::SqlFragment Rows(auth::Operation op, std::string_view owner_column) const {
    return Rows(op, auth::OwnerColumns{.owner = owner_column});
  }
  // The same rule for one record already loaded (`marked`: the table's condition holds).
  bool Can(auth::Operation op, std::string_view owner, bool marked = false) const;
  // The record rules this access applies.
  const auth::RecordRules& rules() const { return *rules_; }

  // OK when the caller may give a record owned by `from` to `to` (for a new record both are
  // the intended owner): an admin to any active user, a manager who may write the record to
  // themself or a current member of the teams they manage, nobody else. PERMISSION_DENIED
  // (OWNER_CHANGE_DENIED); INVALID_ARGUMENT on `field` when an admin names a user who does
  // not exist or is disabled; UNAVAILABLE (AUTH_UNAVAILABLE) when that cannot be checked now.
  // Blocking: an admin's choice is looked up in the auth service with the caller's token.
  absl::Status CheckOwnerChange(std::string_view from, std::string_view to,
                                std::string_view field) const;
  // CheckOwnerChange in its two halves, for a write that must not hold row locks across a
  // network call. CheckNewOwner is the blocking half, run before the transaction: `to` is
  // named, and when the caller is an admin naming someone else, the auth service says it is
  // an active user. CheckOwnerRule is the local half (no I/O), run under the lock once the
  // current owner is known: `to` is named and the role may move a record from `from` to it.
  absl::Status CheckNewOwner(std::string_view to, std::string_view field) const;
  absl::Status CheckOwnerRule(std::string_view from, std::string_view to,
                              std::string_view field) const;

 private:
  friend class AccessResolver;
  Access(const AccessResolver& resolver, const auth::RecordRules& rules,
         const auth::Caller& caller, auth::Principal principal)
      : resolver_(&resolver),
        rules_(&rules),
        caller_(&caller),
        principal_(std::move(principal)),
        actor_(principal_.ActingName()) {}

  const AccessResolver* resolver_;
  const auth::RecordRules* rules_;
  const auth::Caller* caller_;
  auth::Principal principal_;  // with team_members resolved for a manager
  std::string actor_;
};

// Builds Access for one service. Thread-safe; must outlive every Access it made.
class AccessResolver final {
 public:
  // `teams` knows the current members of a manager's teams, `users` checks a newly named
  // owner; `rules` are the record rules of this service's records unless a call names others.
  AccessResolver(const auth::Policy& policy, auth::TeamMembers& teams, auth::UserDirectory& users,
                 const auth::RecordRules& rules = auth::OwnedRecordRules())
      : policy_(policy), teams_(teams), users_(users), rules_(rules) {}

  // PERMISSION_DENIED when the policy table does not let the caller call `method`;
  // UNAVAILABLE (AUTH_UNAVAILABLE) when a manager's teams cannot be looked up right now
  // (record rules never guess). Blocking: run it on the executor. `caller` must outlive the
  // returned Access.
  absl::StatusOr<Access> For(const auth::Caller& caller, std::string_view method) const;
  // The same under the record rules of one table (which must outlive the Access).
  absl::StatusOr<Access> For(const auth::Caller& caller, std::string_view method,
                             const auth::RecordRules& rules) const;

  const auth::RecordRules& rules() const { return rules_; }
  auth::UserDirectory& users() const { return users_; }

 private:
  const auth::Policy& policy_;
  auth::TeamMembers& teams_;
  auth::UserDirectory& users_;
  const auth::RecordRules& rules_;
};

}  // namespace crm::records
