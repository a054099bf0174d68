// The auth service's stores, one per aggregate, built together over one pool and clock:
// sessions (with refresh tokens and revocations), sign-in attempts and the audit trail,
// users, teams, signing keys and service accounts. Users and teams revoke sessions inside their own
// transactions, hence the order of the members.
#pragma once

#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/auth/audit_store.h"
#include "services/auth/key_store.h"
#include "services/auth/service_account_store.h"
#include "services/auth/session_store.h"
#include "services/auth/team_store.h"
#include "services/auth/user_store.h"

namespace crm::auth_service {

struct AuthStores {
  AuthStores(db::Pool& pool, const Clock& clock, SessionStoreOptions session_options = {})
      : sessions(pool, clock, session_options),
        audit(pool, clock),
        users(pool, clock, sessions),
        teams(pool, clock, sessions),
        keys(pool, clock),
        service_accounts(pool, clock) {}
  AuthStores(const AuthStores&) = delete;
  AuthStores& operator=(const AuthStores&) = delete;

  SessionStore sessions;
  AuditStore audit;
  UserStore users;
  TeamStore teams;
  KeyStore keys;
  ServiceAccountStore service_accounts;
};

}  // namespace crm::auth_service
