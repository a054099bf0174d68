#include "libs/db/flags.h"

#include <string>

namespace crm::db {

PoolOptions ReadPoolFlags(config::Flags& flags, std::string_view service) {
  const std::string own = "crm_" + std::string(service);
  PoolOptions db;
  db.unix_socket = flags.String("db_socket", "", "MariaDB unix socket (instead of host/port)");
  db.host = flags.String("db_host", "127.0.0.1", "MariaDB host");
  db.port = flags.Int("db_port", 3306, "MariaDB port", 1, 65535);
  db.user = flags.String("db_user", own, "MariaDB user (may touch only db_name)");
  db.password = flags.String("db_password", "", "MariaDB password");
  db.schema = flags.String("db_name", own, "the service's own schema");
  db.size = flags.Int("db_pool_size", 16, "database connections at most", 1, 512);
  db.tls_ca = flags.String("db_tls_ca", "",
                           "PEM CA of the MariaDB server's certificate: when set, connections use "
                           "TLS and verify the server (TCP only)");
  db.tls_cert = flags.String("db_tls_cert", "", "PEM client certificate for the database (TLS)");
  db.tls_key = flags.String("db_tls_key", "", "PEM private key of --db_tls_cert");
  return db;
}

}  // namespace crm::db
