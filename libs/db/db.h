// MariaDB access for every service: a bounded connection pool, RAII transactions, and
// the mapping of MySQL errors to absl::Status. Connector/C++ exceptions never leave this
// library; SQL text never appears in a returned status message.
//
// Thread-safety: Pool is thread-safe. A Lease, Transaction and Result belong to one thread
// at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/value.h"

namespace prometheus {
class Registry;
}

namespace crm::db {

struct PoolOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string unix_socket;  // used instead of host/port when set
  std::string user;
  std::string password;
  std::string schema;  // the service's own schema
  int size = 8;        // connections at most
  absl::Duration borrow_timeout = absl::Seconds(2);
  // A connection idle longer than this is checked (ping) before it is handed out, so a
  // connection broken by a MariaDB restart is replaced instead of failing a request.
  absl::Duration validate_after_idle = absl::Seconds(5);
  std::string pool_name = "main";  // label on the pool metrics
  // TLS to the server (TCP only): with tls_ca set, every connection is encrypted and the
  // server's certificate must chain to it and name the host (a connection that cannot do
  // both fails); tls_cert/tls_key add a client certificate for users that REQUIRE X509.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

// One row of a result. Columns are read by position, as in the SELECT list.
class Row final {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool IsNull(size_t i) const;
  int64_t Int(size_t i) const;             // 0 for NULL; parses text columns holding digits
  const std::string& Str(size_t i) const;  // "" for NULL; integers as decimal text
  const Value& at(size_t i) const { return values_.at(i); }
  size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
  // Decimal text of integer columns, made on the first Str() call so the returned
  // reference stays valid as long as the row.
  mutable std::vector<std::string> int_text_;
};

using Rows = std::vector<Row>;

class Pool;

// A session on one pooled connection: a connection lease. Statements are prepared once
// per connection and kept. Returned to the pool when destroyed; a connection that saw a
// connection-level error is closed instead of returned.
class Session {
 public:
  virtual ~Session() = default;
  // Runs a statement that returns rows.
  virtual absl::StatusOr<Rows> Query(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs a statement that returns no rows; yields the affected row count.
  virtual absl::StatusOr<uint64_t> Execute(std::string_view sql,
                                           const std::vector<Value>& params) = 0;
  // Closes the connection when the session ends instead of returning it to the pool, for
  // server-side state that could not be cleaned up (a named lock that would not release).
  virtual void Discard() = 0;
};

// A transaction on a leased connection. Rolls back when destroyed unless Commit() succeeded.
class Transaction final : public Session {
 public:
  ~Transaction() override;
  Transaction(Transaction&&) = delete;
  absl::StatusOr<Rows> Query(std::string_view sql, const std::vector<Value>& params) override;
  absl::StatusOr<uint64_t> Execute(std::string_view sql, const std::vector<Value>& params) override;
  void Discard() override;
  absl::Status Commit();

 private:
  friend class Pool;
  struct Impl;
  explicit Transaction(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Pool final {
 public:
  // Opens one connection to fail fast on bad settings; the rest open on demand.
  // `metrics` may be null (tests); otherwise crm_db_pool_* metrics are registered there:
  // crm_db_pool_size (the configured maximum), crm_db_pool_connections{state=in_use|idle},
  // crm_db_pool_wait_seconds (histogram), crm_db_pool_timeouts_total, crm_db_errors_total{kind},
  // each labelled pool=options.pool_name.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(const PoolOptions& options,
                                                      prometheus::Registry* metrics);
  ~Pool();

  // A session outside any explicit transaction (autocommit), for single reads.
  // UNAVAILABLE (reason DATABASE_UNAVAILABLE) when no connection frees up within
  // borrow_timeout or the server cannot be reached.
  absl::StatusOr<std::unique_ptr<Session>> Borrow();
  absl::StatusOr<std::unique_ptr<Transaction>> Begin();

  // Runs `body` in a transaction and commits it. On deadlock or lock-wait timeout the
  // whole transaction is retried (up to 3 attempts, with jitter), then ABORTED with
  // reason CONCURRENT_UPDATE. A lost connection before commit is retried once on a fresh
  // connection. `body` must be safe to run again: it may not have side effects outside
  // the transaction.
  absl::Status InTransaction(const std::function<absl::Status(Transaction&)>& body);

  // True when a connection can be borrowed and answers a ping (for readiness).
  bool Healthy();

 private:
  struct Impl;
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Maps a MySQL/MariaDB error number (and SQLSTATE) to a status:
// 1062 duplicate key -> ALREADY_EXISTS (DUPLICATE_KEY); 1213 deadlock, 1205 lock wait
// timeout -> ABORTED (CONCURRENT_UPDATE); 2002, 2003, 2006, 2013, 2055, 1927 and other
// connection errors -> UNAVAILABLE (DATABASE_UNAVAILABLE); 1406 data too long, 1366 bad
// value -> INVALID_ARGUMENT; anything else INTERNAL (DATABASE_ERROR). The message names
// the error class only, never the SQL or the server's text.
absl::Status MapMysqlError(int error_code, std::string_view sql_state);
bool IsConnectionError(int error_code);
bool IsRetryableConflict(int error_code);

// A MariaDB named lock (GET_LOCK): held by one session at a time across every replica,
// released by the destructor or when the session's connection ends, so a crashed holder
// never keeps it. For work one replica at a time must do (migrations, cleanup jobs).
class NamedLock final {
 public:
  // The lock "<prefix><schema of session>", cut to MariaDB's 64 characters, on `session`
  // (which must outlive it); not taken yet. FAILED_PRECONDITION when the session has no
  // schema.
  static absl::StatusOr<std::unique_ptr<NamedLock>> ForSchema(Session& session,
                                                              std::string_view prefix);
  NamedLock(Session& session, std::string name);
  ~NamedLock();
  NamedLock(const NamedLock&) = delete;
  NamedLock& operator=(const NamedLock&) = delete;

  // Takes the lock, waiting up to `wait` (zero: not at all, whole seconds otherwise).
  // false when another session holds it all that time.
  absl::StatusOr<bool> Acquire(absl::Duration wait);
  const std::string& name() const { return name_; }

 private:
  Session& session_;
  std::string name_;
  bool held_ = false;
};

// Versioned, forward-only migrations: files "NNN_title.sql" in `dir`, applied in order,
// each once, recorded in schema_migrations(version, title, checksum, applied_at). Runs
// under GET_LOCK so replicas starting together apply each file once. Fails (
// FAILED_PRECONDITION, reason MIGRATION_EDITED) when an applied file's SHA-256 changed,
// and when the database holds a version the directory does not have. A file may hold
// several statements separated by ';' at line ends.
//
// Then, under the same lock, the platform track: the tables the libraries own (outbox and
// its pruning horizon, idempotency_keys, the event consumer's cursors and inbox), compiled
// into libs/db and recorded in platform_migrations with the same checks (README.md). Its
// statements are idempotent, so a service whose own files already made some of these
// tables keeps them. An empty `dir` applies only the platform track.
absl::Status Migrate(Pool& pool, const std::string& dir);

// "2026-11-27 09:30:00.000000" <-> absl::Time (UTC).
std::string FormatDateTime(absl::Time t);
absl::StatusOr<absl::Time> ParseDateTime(std::string_view text);

}  // namespace crm::db
