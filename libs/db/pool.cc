// The bounded connection pool, leases, transactions and the retry loop.
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <mysql_driver.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/db/db.h"
#include "libs/db/internal.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace internal {

// --- metrics ---------------------------------------------------------------------------

PoolMetrics PoolMetrics::Register(prometheus::Registry* registry, const std::string& pool_name,
                                  int size) {
  PoolMetrics metrics;
  metrics.pool_name = pool_name;
  if (registry == nullptr) return metrics;
  // Beside the connections in use, so a dashboard shows how close the pool is to its limit.
  prometheus::BuildGauge()
      .Name("crm_db_pool_size")
      .Help("Connections the pool may open at most (its configured size).")
      .Register(*registry)
      .Add({{"pool", pool_name}})
      .Set(size);
  auto& connections = prometheus::BuildGauge()
                          .Name("crm_db_pool_connections")
                          .Help("Open database connections of the pool, by state.")
                          .Register(*registry);
  metrics.in_use = &connections.Add({{"pool", pool_name}, {"state", "in_use"}});
  metrics.idle = &connections.Add({{"pool", pool_name}, {"state", "idle"}});
  metrics.wait_seconds =
      &prometheus::BuildHistogram()
           .Name("crm_db_pool_wait_seconds")
           .Help("Time to get a connection from the pool, including opening one.")
           .Register(*registry)
           .Add({{"pool", pool_name}},
                prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
                                                        0.5, 1, 2, 5});
  metrics.timeouts = &prometheus::BuildCounter()
                          .Name("crm_db_pool_timeouts_total")
                          .Help("Borrows that found no free connection within the timeout.")
                          .Register(*registry)
                          .Add({{"pool", pool_name}});
  metrics.errors = &prometheus::BuildCounter()
                        .Name("crm_db_errors_total")
                        .Help("Failed database calls, by error class.")
                        .Register(*registry);
  return metrics;
}

void PoolMetrics::SetConnections(int in_use_count, int idle_count) const {
  if (in_use != nullptr) in_use->Set(in_use_count);
  if (idle != nullptr) idle->Set(idle_count);
}

void PoolMetrics::ObserveWait(absl::Duration waited) const {
  if (wait_seconds != nullptr) wait_seconds->Observe(absl::ToDoubleSeconds(waited));
}

void PoolMetrics::CountTimeout() const {
  if (timeouts != nullptr) timeouts->Increment();
}

void PoolMetrics::CountError(std::string_view kind) const {
  if (errors != nullptr)
    errors->Add({{"pool", pool_name}, {"kind", std::string(kind)}}).Increment();
}

namespace {

// Generous enough for report queries and above InnoDB's 50 s lock wait, yet a socket to a
// vanished server (no FIN, e.g. a lost node) fails instead of hanging a request forever.
constexpr int kSocketTimeoutSeconds = 60;

sql::Driver& Driver() {
  // The first call initialises the client library, which is not thread-safe; a function
  // static makes that call happen once.
  static sql::mysql::MySQL_Driver* const driver = sql::mysql::get_mysql_driver_instance();
  return *driver;
}

absl::Status Unavailable(std::string_view message) {
  return Error(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE", message);
}

}  // namespace

// State shared by the Pool and every lease it handed out, so a lease returned after the
// Pool object is gone still has somewhere to go.
class PoolCore final {
 public:
  PoolCore(PoolOptions options, PoolMetrics metrics)
      : options_(std::move(options)), metrics_(std::move(metrics)) {
    metrics_.SetConnections(0, 0);
  }

  absl::StatusOr<std::unique_ptr<Connection>> Acquire() {
    const absl::Time start = absl::Now();
    const absl::Time deadline = start + options_.borrow_timeout;
    while (true) {
      std::unique_ptr<Connection> conn;
      {
        absl::MutexLock lock(&mu_);
        while (idle_.empty() && open_ >= options_.size) {
          if (freed_.WaitWithDeadline(&mu_, deadline) && idle_.empty() && open_ >= options_.size) {
            metrics_.CountTimeout();
            metrics_.ObserveWait(absl::Now() - start);
            return Unavailable("no database connection became free within the borrow timeout");
          }
        }
        if (!idle_.empty()) {
          conn = std::move(idle_.back());
          idle_.pop_back();
        } else {
          ++open_;  // reserve the slot; the connect itself runs unlocked
        }
        PublishLocked();
      }
      if (conn == nullptr) {
        absl::StatusOr<std::unique_ptr<Connection>> opened = Open();
        if (!opened.ok()) {
          Discard(nullptr);
          return opened.status();
        }
        metrics_.ObserveWait(absl::Now() - start);
        return opened;
      }
      // A connection that sat idle may have been closed by a server restart or wait_timeout;
      // find out now rather than on the caller's statement.
      if (absl::Now() - conn->last_used() > options_.validate_after_idle && !conn->Ping()) {
        LogDbEvent("warn", "closing a pooled connection that failed its ping", 0, "", "");
        Discard(std::move(conn));
        continue;
      }
      metrics_.ObserveWait(absl::Now() - start);
      return conn;
    }
  }

  void Release(std::unique_ptr<Connection> conn) {
    if (conn == nullptr) return;
    if (conn->broken()) {
      Discard(std::move(conn));
      return;
    }
    absl::MutexLock lock(&mu_);
    idle_.push_back(std::move(conn));
    PublishLocked();
    freed_.Signal();
  }

 private:
  // Gives up a slot: closes `conn` (if any) and lets a waiter open a replacement.
  void Discard(std::unique_ptr<Connection> conn) {
    conn.reset();  // closing a dead socket can block; keep it outside the lock
    absl::MutexLock lock(&mu_);
    --open_;
    PublishLocked();
    freed_.Signal();
  }

  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int idle = static_cast<int>(idle_.size());
    metrics_.SetConnections(open_ - idle, idle);
  }

  absl::StatusOr<std::unique_ptr<Connection>> Open() {
    sql::ConnectOptionsMap props;
    if (!options_.unix_socket.empty()) {
      props["hostName"] = sql::SQLString("localhost");
      props["socket"] = sql::SQLString(options_.unix_socket);
    } else {
      // The tcp:// scheme keeps "localhost" from silently meaning the default socket.
      props["hostName"] = sql::SQLString("tcp://" + options_.host);
      props["port"] = options_.port;
    }
    if (!options_.tls_ca.empty()) {
      props["sslCA"] = sql::SQLString(options_.tls_ca);
      // Verify the chain and the host name, and never fall back to plaintext.
      props["sslVerify"] = true;
      props["sslEnforce"] = true;
      if (!options_.tls_cert.empty()) {
        props["sslCert"] = sql::SQLString(options_.tls_cert);
        props["sslKey"] = sql::SQLString(options_.tls_key);
      }
    }
    props["userName"] = sql::SQLString(options_.user);
    props["password"] = sql::SQLString(options_.password);
    if (!options_.schema.empty()) props["schema"] = sql::SQLString(options_.schema);
    // A silent reconnect would drop session settings and an open transaction unnoticed;
    // the pool replaces broken connections instead.
    props["OPT_RECONNECT"] = false;
    props["OPT_CONNECT_TIMEOUT"] = static_cast<int>(std::max<int64_t>(
        1, absl::ToInt64Seconds(absl::Ceil(options_.borrow_timeout, absl::Seconds(1)))));
    props["OPT_READ_TIMEOUT"] = kSocketTimeoutSeconds;
    props["OPT_WRITE_TIMEOUT"] = kSocketTimeoutSeconds;
    props["CLIENT_MULTI_STATEMENTS"] = false;
    props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    props["characterSetResults"] = sql::SQLString("utf8mb4");

    std::unique_ptr<sql::Connection> raw;
    try {
      raw.reset(Driver().connect(props));
    } catch (const sql::SQLException& e) {
      const std::string_view kind = ErrorKind(e.getErrorCode(), e.getSQLState());
      metrics_.CountError(kind);
      LogDbEvent("error", "cannot open a database connection", e.getErrorCode(), e.getSQLState(),
                 e.what());
      absl::Status status = MapMysqlError(e.getErrorCode(), e.getSQLState());
      if (kind == "other") {
        // Bad credentials or an unknown schema: name the number so start-up fails clearly.
        status = Annotate(status, absl::StrCat("cannot open a database connection (mysql error ",
                                               e.getErrorCode(), ")"));
      }
      return status;
    } catch (const std::exception& e) {
      metrics_.CountError("other");
      LogDbEvent("error", "cannot open a database connection", 0, "", e.what());
      return Error(absl::StatusCode::kInternal, "DATABASE_ERROR", "database driver error");
    }
    auto conn = std::make_unique<Connection>(std::move(raw), &metrics_);
    // Every DATETIME travels as UTC text; the server's own zone must not shift it.
    CRM_RETURN_IF_ERROR(conn->ExecuteDirect("SET time_zone = '+00:00'"));
    CRM_RETURN_IF_ERROR(conn->ExecuteDirect("SET NAMES utf8mb4"));
    // READ COMMITTED: read-modify-write paths lock rows explicitly (SELECT ... FOR UPDATE)
    // and check versions, so REPEATABLE READ's gap locks would only add deadlocks between
    // concurrent inserts (e.g. two creates replacing child rows past the last id).
    CRM_RETURN_IF_ERROR(
        conn->ExecuteDirect("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
    return conn;
  }

  const PoolOptions options_;
  const PoolMetrics metrics_;
  absl::Mutex mu_;
  absl::CondVar freed_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + being opened
};

namespace {

// A connection lease in autocommit mode.
class Lease final : public Session {
 public:
  Lease(std::shared_ptr<PoolCore> core, std::unique_ptr<Connection> conn)
      : core_(std::move(core)), conn_(std::move(conn)) {}
  ~Lease() override { core_->Release(std::move(conn_)); }

  absl::StatusOr<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    return conn_->Query(sql, params);
  }
  absl::StatusOr<uint64_t> Execute(std::string_view sql,
                                   const std::vector<Value>& params) override {
    return conn_->Execute(sql, params);
  }

  void Discard() override { conn_->MarkBroken(); }

  Connection& connection() { return *conn_; }

 private:
  std::shared_ptr<PoolCore> core_;
  std::unique_ptr<Connection> conn_;
};

bool IsConflict(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted && ErrorReason(status) == "CONCURRENT_UPDATE";
}

void SleepWithJitter(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  // Two transactions that deadlocked would collide again if they retried in lock step.
  std::uniform_int_distribution<int> micros(1000 * attempt, 5000 * attempt);
  absl::SleepFor(absl::Microseconds(micros(random)));
}

}  // namespace

Connection& ConnectionOf(Session& session) {
  // Only Pool::Borrow makes sessions besides transactions, and Migrate (the one caller)
  // passes what Borrow returned.
  return dynamic_cast<Lease&>(session).connection();
}

}  // namespace internal

// --- Transaction ------------------------------------------------------------------------

struct Transaction::Impl {
  std::shared_ptr<internal::PoolCore> core;
  std::unique_ptr<internal::Connection> conn;
  bool finished = false;          // committed
  bool commit_attempted = false;  // after this a lost connection leaves the outcome unknown
  bool conflict = false;          // a statement hit a deadlock or lock wait timeout

  void Note(const absl::Status& status) {
    if (internal::IsConflict(status)) conflict = true;
  }
};

Transaction::Transaction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

void Transaction::Discard() { impl_->conn->MarkBroken(); }

Transaction::~Transaction() {
  if (impl_ == nullptr) return;
  if (!impl_->finished && !impl_->conn->broken()) {
    // After a failed rollback the server may still hold the transaction open; the next
    // borrower must not inherit it, so the connection is closed instead of reused.
    if (!impl_->conn->Rollback().ok()) impl_->conn->MarkBroken();
  }
  impl_->core->Release(std::move(impl_->conn));
}

absl::StatusOr<Rows> Transaction::Query(std::string_view sql, const std::vector<Value>& params) {
  if (impl_->finished) {
    return absl::FailedPreconditionError("the transaction is already committed");
  }
  absl::StatusOr<Rows> rows = impl_->conn->Query(sql, params);
  if (!rows.ok()) impl_->Note(rows.status());
  return rows;
}

absl::StatusOr<uint64_t> Transaction::Execute(std::string_view sql,
                                              const std::vector<Value>& params) {
  if (impl_->finished) {
    return absl::FailedPreconditionError("the transaction is already committed");
  }
  absl::StatusOr<uint64_t> affected = impl_->conn->Execute(sql, params);
  if (!affected.ok()) impl_->Note(affected.status());
  return affected;
}

absl::Status Transaction::Commit() {
  if (impl_->finished) {
    return absl::FailedPreconditionError("the transaction is already committed");
  }
  impl_->commit_attempted = true;
  absl::Status status = impl_->conn->Commit();
  if (status.ok()) {
    impl_->finished = true;
  } else {
    impl_->Note(status);
  }
  return status;
}

// --- Pool -------------------------------------------------------------------------------

struct Pool::Impl {
  std::shared_ptr<internal::PoolCore> core;
};

Pool::Pool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pool::~Pool() = default;

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(const PoolOptions& options,
                                                   prometheus::Registry* metrics) {
  if (options.size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  if (options.borrow_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("pool borrow_timeout must be positive");
  }
  internal::PoolMetrics pool_metrics;
  try {
    pool_metrics = internal::PoolMetrics::Register(metrics, options.pool_name, options.size);
  } catch (const std::exception& e) {
    // prometheus-cpp refuses a name already registered with other help or labels.
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register database pool metrics: ", e.what()));
  }
  auto core = std::make_shared<internal::PoolCore>(options, std::move(pool_metrics));
  // Fail fast on wrong settings: one connection now, the rest when needed.
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<internal::Connection> conn, core->Acquire());
  core->Release(std::move(conn));
  return std::unique_ptr<Pool>(new Pool(std::make_unique<Impl>(Impl{std::move(core)})));
}

absl::StatusOr<std::unique_ptr<Session>> Pool::Borrow() {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<internal::Connection> conn, impl_->core->Acquire());
  return std::make_unique<internal::Lease>(impl_->core, std::move(conn));
}

absl::StatusOr<std::unique_ptr<Transaction>> Pool::Begin() {
  absl::Status status;
  // A connection that died since its last use (and was too fresh to be pinged) fails on
  // START TRANSACTION, before anything happened; a second connection is safe to try.
  for (int attempt = 0; attempt < 2; ++attempt) {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<internal::Connection> conn, impl_->core->Acquire());
    status = conn->ExecuteDirect("START TRANSACTION");
    if (status.ok()) {
      auto impl = std::make_unique<Transaction::Impl>();
      impl->core = impl_->core;
      impl->conn = std::move(conn);
      return std::unique_ptr<Transaction>(new Transaction(std::move(impl)));
    }
    const bool broken = conn->broken();
    impl_->core->Release(std::move(conn));
    if (!broken) break;
  }
  return status;
}

absl::Status Pool::InTransaction(const std::function<absl::Status(Transaction&)>& body) {
  constexpr int kMaxConflictAttempts = 3;
  int conflicts = 0;
  bool reconnected = false;
  while (true) {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, Begin());
    absl::Status status = body(*tx);
    if (status.ok()) status = tx->Commit();
    const bool conflict = tx->impl_->conflict;
    const bool lost_before_commit = tx->impl_->conn->broken() && !tx->impl_->commit_attempted;
    tx.reset();  // rolls back unless committed, and returns the connection
    if (status.ok()) return status;
    if (conflict && ++conflicts < kMaxConflictAttempts) {
      internal::SleepWithJitter(conflicts);
      continue;
    }
    if (lost_before_commit && !reconnected) {
      // Nothing was committed, so running the body again cannot apply it twice.
      reconnected = true;
      continue;
    }
    if (conflict) {
      return Error(absl::StatusCode::kAborted, "CONCURRENT_UPDATE",
                   "the change kept conflicting with concurrent updates; retry later");
    }
    return status;
  }
}

bool Pool::Healthy() {
  absl::StatusOr<std::unique_ptr<internal::Connection>> conn = impl_->core->Acquire();
  if (!conn.ok()) return false;
  const bool alive = (*conn)->Ping();
  impl_->core->Release(*std::move(conn));
  return alive;
}

}  // namespace crm::db
