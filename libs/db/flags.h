// The database settings every service takes, read the same way everywhere: --db_socket or
// --db_host/--db_port, --db_user, --db_password, --db_name, --db_pool_size, and TLS to the
// server with --db_tls_ca (and --db_tls_cert/--db_tls_key) (env CRM_DB_*).
// The defaults name the service's own schema and user, crm_<service>.
#pragma once

#include <string_view>

#include "libs/config/config.h"
#include "libs/db/db.h"

namespace crm::db {

PoolOptions ReadPoolFlags(config::Flags& flags, std::string_view service);

}  // namespace crm::db
