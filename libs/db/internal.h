// Private to libs/db: the pieces the pool, transactions and migrations share. Nothing
// outside this directory includes this header; Connector/C++ types stay behind it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/db/db.h"
#include "libs/db/value.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace crm::db::internal {

// The pool's Prometheus series. Every pointer is null when the pool was built without a
// registry, so callers go through the methods, which tolerate that.
struct PoolMetrics {
  prometheus::Gauge* in_use = nullptr;
  prometheus::Gauge* idle = nullptr;
  prometheus::Histogram* wait_seconds = nullptr;
  prometheus::Counter* timeouts = nullptr;
  prometheus::Family<prometheus::Counter>* errors = nullptr;
  std::string pool_name;

  // Also sets crm_db_pool_size{pool} to `size`.
  static PoolMetrics Register(prometheus::Registry* registry, const std::string& pool_name,
                              int size);
  void SetConnections(int in_use_count, int idle_count) const;
  void ObserveWait(absl::Duration waited) const;
  void CountTimeout() const;
  void CountError(std::string_view kind) const;
};

// Abseil here is built with its own string_view type, not std::string_view.
inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

// The error class of a MySQL error number, used as the `kind` label of
// crm_db_errors_total: connection, conflict, duplicate_key, invalid_value, other.
std::string_view ErrorKind(int error_code, std::string_view sql_state);

// One JSON line on stderr. `detail` may hold the server's text (which can quote SQL); it
// goes to the operator's log only, never into a status.
void LogDbEvent(std::string_view level, std::string_view msg, int mysql_errno,
                std::string_view sql_state, std::string_view detail);

// Copies `status` with `prefix` put before its message, keeping its payloads (the reason).
absl::Status Annotate(const absl::Status& status, std::string_view prefix);

// One physical connection with its cache of prepared statements. Used by one thread at a
// time (whoever holds its lease). Every method catches the driver's exceptions; after a
// connection-level error broken() is true and the pool closes the connection instead of
// reusing it.
class Connection final {
 public:
  Connection(std::unique_ptr<sql::Connection> conn, const PoolMetrics* metrics);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  absl::StatusOr<Rows> Query(std::string_view sql, const std::vector<Value>& params);
  absl::StatusOr<uint64_t> Execute(std::string_view sql, const std::vector<Value>& params);
  // Runs a statement without preparing or caching it: session settings, transaction
  // control, and migration DDL that runs once.
  absl::Status ExecuteDirect(std::string_view sql);
  absl::Status Commit();
  absl::Status Rollback();
  // A round trip to the server; false (and broken) when the connection is gone.
  bool Ping();

  bool broken() const { return broken_; }
  // For a connection left in an unknown state (a failed rollback): close, do not reuse.
  void MarkBroken() { broken_ = true; }
  absl::Time last_used() const { return last_used_; }

 private:
  sql::PreparedStatement& Prepare(std::string_view sql);
  bool ShouldReprepare(const sql::SQLException& e, std::string_view sql);
  // Runs a statement-less command (commit, rollback, a plain statement) with the same error
  // handling as queries: a broken connection is refused, exceptions become a status.
  template <typename Command>
  absl::Status RunCommand(Command command);
  absl::Status Fail(const sql::SQLException& e);
  absl::Status FailInternal(const std::exception& e);

  std::unique_ptr<sql::Connection> conn_;
  const PoolMetrics* metrics_;
  // Keyed by SQL text: services use a fixed set of statement constants, so the cache stays
  // small; kMaxStatements bounds it anyway against callers that build SQL dynamically.
  absl::flat_hash_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  bool broken_ = false;
  absl::Time last_used_;
};

// A migration compiled into the library (platform.cc): the platform track Migrate()
// applies after a service's own files.
struct EmbeddedMigration {
  int version = 0;
  const char* title = "";
  const char* sql = "";
};
const std::vector<EmbeddedMigration>& PlatformMigrations();

// The connection under a session handed out by Pool::Borrow(), for Migrate(), which needs
// unprepared statements on one dedicated connection.
Connection& ConnectionOf(Session& session);

}  // namespace crm::db::internal
