// crm-auth: its options, stores, start-up bootstrap and handlers; the rest is the service
// kit's. Unlike every other service it verifies tokens with keys and revocations read from
// its own database.
#include <malloc.h>

#include "libs/log/log.h"
#include "libs/service/process.h"
#include "services/auth/admin.h"
#include "services/auth/bootstrap.h"
#include "services/auth/keys.h"
#include "services/auth/options.h"
#include "services/auth/service.h"
#include "services/auth/sign_in.h"
#include "services/auth/stores.h"

int main(int argc, char** argv) {
  // Every Argon2id hash takes 19 MiB. glibc serves a block that large with mmap and returns
  // it on free, but only until the first such free raises its threshold: after that each
  // worker thread's arena keeps 19 MiB for good (229 MiB idle was measured with 8 workers).
  // A fixed threshold keeps every hash's memory going back to the system.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  const crm::auth_service::Options options = crm::auth_service::ReadOptions(process.flags());
  crm::db::Pool& pool = process.OpenDatabase();

  const crm::Clock& clock = crm::Clock::Real();
  crm::auth_service::AuthStores stores(
      pool, clock, {.revocation_keep = options.sign_in.access_token_ttl + absl::Seconds(60)});
  crm::auth_service::KeyRing keys(stores.keys, clock, options.signing_key_passphrase);
  // The first signing key, the first admin and the service accounts, once across replicas.
  if (absl::Status st = crm::auth_service::Bootstrap(pool, stores, keys, options.bootstrap);
      !st.ok()) {
    crm::log::Fatal("start-up failed", {{"error", st.ToString()}});
  }
  crm::service::Kit& kit = process.Start(
      std::make_unique<crm::auth_service::StoreVerificationSource>(stores.sessions, keys, clock));
  crm::auth_service::SignIn sign_in(stores, keys, kit.authorizer.policy(), clock,
                                    options.sign_in);
  crm::auth_service::Administration admin(stores, keys, kit.page_tokens, kit.authorizer.policy(),
                                          {.idempotency_secret = options.signing_key_passphrase});
  crm::auth_service::AuthService service(sign_in, admin, kit.rpc);
  return process.Serve({&service});
}
