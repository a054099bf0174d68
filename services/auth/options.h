// crm-auth's own settings (besides the flags every service takes, libs/service/process.h):
// token lifetimes, sign-in throttling, the key passphrase, and what start-up provisions.
#pragma once

#include <string>

#include "libs/config/config.h"
#include "services/auth/bootstrap.h"
#include "services/auth/sign_in.h"

namespace crm::auth_service {

struct Options {
  SignInOptions sign_in;
  BootstrapOptions bootstrap;
  // Encrypts the signing keys in the database; the same on every replica, 16 bytes or more.
  std::string signing_key_passphrase;
};

// Reads the flags (env CRM_<FLAG>). A value that parses but breaks a rule (a short
// passphrase, a weak admin password, a malformed --service_accounts) stops the process with
// a message naming it.
Options ReadOptions(config::Flags& flags);

}  // namespace crm::auth_service
