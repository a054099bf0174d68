// A private MariaDB server for tests that must stop and restart the database under a
// running service, without disturbing the shared test server.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/support/process.h"

namespace crm::testing {

class PrivateMariaDb final {
 public:
  // Initialises a data directory under `dir` (mariadb-install-db) and starts the server.
  static absl::StatusOr<std::unique_ptr<PrivateMariaDb>> Create(const std::string& dir);
  ~PrivateMariaDb();

  absl::Status Start();
  absl::Status Stop();  // clean shutdown (SIGTERM), waits for exit
  const std::string& socket() const { return socket_; }

 private:
  explicit PrivateMariaDb(std::string dir);
  std::string dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace crm::testing
