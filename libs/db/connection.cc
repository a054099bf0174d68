// One pooled connection: prepared-statement cache, value binding and result reading.
#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/db/db.h"
#include "libs/db/internal.h"
#include "libs/grpc/status.h"

namespace crm::db::internal {
namespace {

// Far above the distinct statements of any service; only reached by a caller that builds
// SQL text dynamically, which would otherwise exhaust the server's max_prepared_stmt_count.
constexpr size_t kMaxStatements = 512;

bool IsIntegerType(int type) {
  switch (type) {
    case sql::DataType::TINYINT:
    case sql::DataType::SMALLINT:
    case sql::DataType::MEDIUMINT:
    case sql::DataType::INTEGER:
    case sql::DataType::BIGINT:
    case sql::DataType::YEAR:
      return true;
    default:
      return false;
  }
}

void Bind(sql::PreparedStatement& stmt, const std::vector<Value>& params) {
  unsigned int index = 1;
  for (const Value& param : params) {
    if (const auto* number = std::get_if<int64_t>(&param)) {
      stmt.setInt64(index, *number);
    } else if (const auto* text = std::get_if<std::string>(&param)) {
      // SQLString keeps the length, so bytes after a zero byte survive (BLOB columns).
      stmt.setString(index, sql::SQLString(text->data(), text->size()));
    } else {
      stmt.setNull(index, sql::DataType::VARCHAR);
    }
    ++index;
  }
}

// How a column is read, decided once per result rather than per row.
enum class ColumnKind { kInteger, kUnsignedBigint, kText };

ColumnKind KindOf(sql::ResultSetMetaData& meta, unsigned int i) {
  const int type = meta.getColumnType(i);
  if (!IsIntegerType(type)) return ColumnKind::kText;
  return type == sql::DataType::BIGINT && !meta.isSigned(i) ? ColumnKind::kUnsignedBigint
                                                            : ColumnKind::kInteger;
}

Value ReadColumn(const sql::ResultSet& rs, unsigned int i, ColumnKind kind) {
  if (rs.isNull(i)) return std::monostate{};
  switch (kind) {
    case ColumnKind::kInteger:
      return static_cast<int64_t>(rs.getInt64(i));
    case ColumnKind::kUnsignedBigint: {
      // BIGINT UNSIGNED above INT64_MAX does not fit the int64 alternative; keep its digits.
      const uint64_t value = rs.getUInt64(i);
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return absl::StrCat(value);
      }
      return static_cast<int64_t>(value);
    }
    case ColumnKind::kText:
      break;
  }
  // getString copies the column into a temporary SQLString, which lends its std::string out
  // only as const: the temporary is ours, so take the string over instead of copying it a
  // second time (a list page reads about a thousand of them).
  sql::SQLString text = rs.getString(i);
  return std::move(const_cast<std::string&>(text.asStdString()));
}

}  // namespace

Connection::Connection(std::unique_ptr<sql::Connection> conn, const PoolMetrics* metrics)
    : conn_(std::move(conn)), metrics_(metrics), last_used_(absl::Now()) {}

Connection::~Connection() {
  // Statements must go before the connection that owns their server-side handles.
  statements_.clear();
  try {
    conn_.reset();
  } catch (...) {
    // Closing a connection whose socket is already dead may throw; nothing to recover.
  }
}

sql::PreparedStatement& Connection::Prepare(std::string_view sql) {
  auto it = statements_.find(ToAbsl(sql));
  if (it != statements_.end()) return *it->second;
  if (statements_.size() >= kMaxStatements) statements_.clear();
  std::unique_ptr<sql::PreparedStatement> stmt(
      conn_->prepareStatement(sql::SQLString(sql.data(), sql.size())));
  auto [inserted, _] = statements_.emplace(std::string(sql), std::move(stmt));
  return *inserted->second;
}

bool Connection::ShouldReprepare(const sql::SQLException& e, std::string_view sql) {
  // ER_NEED_REPREPARE: the server gave up re-preparing a cached statement after its tables
  // changed (a migration run by another replica). A fresh prepare fixes it.
  if (e.getErrorCode() != 1615) return false;
  statements_.erase(ToAbsl(sql));
  return true;
}

absl::StatusOr<Rows> Connection::Query(std::string_view sql, const std::vector<Value>& params) {
  if (broken_) return MapMysqlError(2006, "08S01");
  for (int attempt = 0;; ++attempt) {
    try {
      sql::PreparedStatement& stmt = Prepare(sql);
      Bind(stmt, params);
      std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
      sql::ResultSetMetaData& meta = *rs->getMetaData();  // owned by rs
      const unsigned int columns = meta.getColumnCount();
      std::vector<ColumnKind> kinds(columns);
      for (unsigned int i = 0; i < columns; ++i) kinds[i] = KindOf(meta, i + 1);
      Rows rows;
      rows.reserve(rs->rowsCount());
      while (rs->next()) {
        std::vector<Value> values;
        values.reserve(columns);
        for (unsigned int i = 0; i < columns; ++i) values.push_back(ReadColumn(*rs, i + 1, kinds[i]));
        rows.emplace_back(std::move(values));
      }
      last_used_ = absl::Now();
      return rows;
    } catch (const sql::SQLException& e) {
      if (attempt == 0 && ShouldReprepare(e, sql)) continue;
      return Fail(e);
    } catch (const std::exception& e) {
      return FailInternal(e);
    }
  }
}

absl::StatusOr<uint64_t> Connection::Execute(std::string_view sql,
                                             const std::vector<Value>& params) {
  if (broken_) return MapMysqlError(2006, "08S01");
  for (int attempt = 0;; ++attempt) {
    try {
      sql::PreparedStatement& stmt = Prepare(sql);
      Bind(stmt, params);
      // Connector/C++ 1.1 reports affected rows only through executeUpdate's int; a single
      // statement touching more than 2^31 rows is not something a service does.
      const int affected = stmt.executeUpdate();
      last_used_ = absl::Now();
      return static_cast<uint64_t>(affected < 0 ? 0 : affected);
    } catch (const sql::SQLException& e) {
      if (attempt == 0 && ShouldReprepare(e, sql)) continue;
      return Fail(e);
    } catch (const std::exception& e) {
      return FailInternal(e);
    }
  }
}

template <typename Command>
absl::Status Connection::RunCommand(Command command) {
  if (broken_) return MapMysqlError(2006, "08S01");
  try {
    command();
    last_used_ = absl::Now();
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return Fail(e);
  } catch (const std::exception& e) {
    return FailInternal(e);
  }
}

absl::Status Connection::ExecuteDirect(std::string_view sql) {
  return RunCommand([&] {
    std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
    if (stmt->execute(sql::SQLString(sql.data(), sql.size()))) {
      // Read and drop a result so the connection is ready for the next command.
      std::unique_ptr<sql::ResultSet> rs(stmt->getResultSet());
    }
  });
}

absl::Status Connection::Commit() {
  return RunCommand([&] { conn_->commit(); });
}

absl::Status Connection::Rollback() {
  return RunCommand([&] { conn_->rollback(); });
}

bool Connection::Ping() {
  if (broken_) return false;
  try {
    if (conn_->isValid()) {
      last_used_ = absl::Now();
      return true;
    }
  } catch (const std::exception& e) {
    LogDbEvent("warn", "database ping failed", 0, "", e.what());
  }
  broken_ = true;
  return false;
}

absl::Status Connection::Fail(const sql::SQLException& e) {
  int code = e.getErrorCode();
  std::string state = e.getSQLState();
  // The driver throws InvalidInstanceException ("connection has been closed") without a
  // server error number; it means the same as a lost connection.
  if (dynamic_cast<const sql::InvalidInstanceException*>(&e) != nullptr) {
    code = 2006;
    state = "08S01";
  }
  const std::string_view kind = ErrorKind(code, state);
  if (kind == "connection") broken_ = true;
  if (metrics_ != nullptr) metrics_->CountError(kind);
  // A duplicate key is an expected outcome the caller turns into an API error; conflicts
  // are retried. Neither deserves an error-level line.
  if (kind != "duplicate_key") {
    LogDbEvent(kind == "conflict" ? "warn" : "error", "database statement failed", code, state,
               e.what());
  }
  return MapMysqlError(code, state);
}

absl::Status Connection::FailInternal(const std::exception& e) {
  if (metrics_ != nullptr) metrics_->CountError("other");
  LogDbEvent("error", "database driver failed", 0, "", e.what());
  // The driver's state after an unexpected exception is unknown; do not reuse it.
  broken_ = true;
  return Error(absl::StatusCode::kInternal, "DATABASE_ERROR", "database error");
}

}  // namespace crm::db::internal
