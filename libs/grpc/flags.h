// The server settings every process takes, read the same way everywhere:
// --port, --metrics_port, --port_file, --drain_seconds, --health_port and the TLS files
// (--tls_*, tls.h) (env CRM_PORT, ...). It also makes ServiceChannel dial with the TLS
// settings read (UseChannelTls).
#pragma once

#include <string_view>

#include "libs/config/config.h"
#include "libs/grpc/server.h"

namespace crm {

ServerOptions ReadServerFlags(config::Flags& flags, std::string_view service_name,
                              int default_port, int default_metrics_port);

}  // namespace crm
