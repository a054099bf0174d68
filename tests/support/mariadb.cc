#include "tests/support/mariadb.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace crm::testing {
namespace {

bool SocketAccepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

PrivateMariaDb::PrivateMariaDb(std::string dir)
    : dir_(std::move(dir)), socket_(dir_ + "/mysqld.sock") {}

PrivateMariaDb::~PrivateMariaDb() { (void)Stop(); }

absl::StatusOr<std::unique_ptr<PrivateMariaDb>> PrivateMariaDb::Create(const std::string& dir) {
  std::unique_ptr<PrivateMariaDb> db(new PrivateMariaDb(dir));
  std::filesystem::create_directories(dir + "/data");
  std::filesystem::create_directories(dir + "/tmp");
  auto install = ChildProcess::Start(
      "/usr/bin/mariadb-install-db",
      {"--no-defaults", "--user=root", "--datadir=" + dir + "/data", "--tmpdir=" + dir + "/tmp",
       "--auth-root-authentication-method=normal", "--skip-test-db"},
      dir + "/install.log");
  if (!install.ok()) return install.status();
  auto rc = (*install)->Wait(absl::Seconds(120));
  if (!rc.ok() || *rc != 0) {
    return absl::InternalError("mariadb-install-db failed:\n" + (*install)->LogTail());
  }
  if (auto st = db->Start(); !st.ok()) return st;
  return db;
}

absl::Status PrivateMariaDb::Start() {
  auto server = ChildProcess::Start(
      "/usr/sbin/mariadbd",
      // Its own tmpdir: a starting server deletes every "#sql*" file in its tmpdir, which
      // in /tmp would be the temporary tables of the other servers' running queries.
      {"--no-defaults", "--user=root", "--datadir=" + dir_ + "/data", "--tmpdir=" + dir_ + "/tmp",
       "--socket=" + socket_, "--skip-networking", "--pid-file=" + dir_ + "/mysqld.pid",
       "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
       "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"},
      dir_ + "/mysqld.log");
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!SocketAccepts(socket_)) {
    if (!server_->Running() || absl::Now() > deadline) {
      return absl::InternalError("mariadbd did not start:\n" + server_->LogTail());
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

absl::Status PrivateMariaDb::Stop() {
  if (!server_) return absl::OkStatus();
  server_->Signal(SIGTERM);
  auto rc = server_->Wait(absl::Seconds(60));
  server_.reset();
  return rc.ok() ? absl::OkStatus() : rc.status();
}

}  // namespace crm::testing
