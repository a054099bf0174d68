// The server settings every process takes, read the same way everywhere:
// --port, --metrics_port, --port_file and --drain_seconds (env CRM_PORT, ...).
#pragma once

#include <string_view>

#include "libs/config/config.h"
#include "libs/grpc/server.h"

namespace crm {

ServerOptions ReadServerFlags(config::Flags& flags, std::string_view service_name,
                              int default_port, int default_metrics_port);

}  // namespace crm
