// The raw SQL ceiling: the statements the customers store runs for a Get and a Create,
// sent straight through MySQL Connector/C++ prepared statements on one connection, with no
// RPC, no pool, no validation and no response mapping around them. What the service
// reaches is compared against this.
//
// Thread-safety: one RawSqlClient belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/query.h"

namespace sql {
class Connection;
class PreparedStatement;
class Statement;
}  // namespace sql

namespace crm::loadgen {

struct DbOptions {
  std::string unix_socket;  // used instead of host/port when set
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  std::string schema;
  // Lets the connection send LOAD DATA LOCAL INFILE (the server allows it by default).
  bool local_infile = false;
};

class RawSqlClient final {
 public:
  // Opens a connection with the session settings the service's pool uses (utf8mb4, UTC,
  // READ COMMITTED).
  static absl::StatusOr<std::unique_ptr<RawSqlClient>> Connect(const DbOptions& options);
  ~RawSqlClient();
  RawSqlClient(const RawSqlClient&) = delete;
  RawSqlClient& operator=(const RawSqlClient&) = delete;

  // The store's Get: SELECT of one live customer by primary key, every column read.
  // NOT_FOUND when no row comes back.
  absl::Status Get(int64_t id);

  // Any SELECT with its parameters (a List page: records::PageStatement), every column of
  // every row read. NOT_FOUND when no row comes back.
  absl::Status Query(const api::SqlFragment& statement);

  // The store's Create, statement for statement and with its statement texts, in one
  // transaction: the duplicate check (e-mails, phones, company key in one SELECT), INSERT
  // ... RETURNING id, one INSERT per child table (tags, emails, phones), the search
  // document's terms, the history row, the outbox row, the idempotency row, COMMIT (a first call does not look for a
  // stored result first). raw_sql_test checks that it writes the rows the service writes.
  // A deadlock or lock-wait timeout is retried as the service's pool retries it (3 attempts
  // with jitter), then ABORTED.
  absl::Status Create(const customers::v1::Customer& customer, const std::string& request_id);

  // LOAD DATA LOCAL INFILE of `path` (as WriteCustomerLoadFile writes it) into the customers
  // table, committed; the rows loaded. Needs a connection made with local_infile.
  absl::StatusOr<int64_t> LoadCustomers(const std::string& path);

  // Deletes the customers whose external id starts with `prefix` (those LoadCustomers
  // wrote), in slices of 10,000 rows; the rows deleted.
  absl::StatusOr<int64_t> DeleteByExternalIdPrefix(const std::string& prefix);

  // Transactions run again after a deadlock or lock-wait timeout, so far.
  int64_t conflict_retries() const { return conflict_retries_; }

 private:
  explicit RawSqlClient(std::unique_ptr<sql::Connection> connection);
  // Prepared on first use and kept, as the service's connections keep theirs.
  sql::PreparedStatement& Prepare(const std::string& text);
  // Executes `stmt` (parameters bound) and reads every column of every row; the rows read.
  int64_t ReadRows(sql::PreparedStatement& stmt);
  // ReadRows, NOT_FOUND when there is none.
  absl::Status ReadAll(sql::PreparedStatement& stmt, const std::string& what);
  absl::Status CreateOnce(const customers::v1::Customer& customer, const std::string& request_id);
  absl::Status CreateInTransaction(const customers::v1::Customer& customer,
                                   const std::string& request_id);

  std::unique_ptr<sql::Connection> connection_;
  std::unique_ptr<sql::Statement> statement_;  // for START TRANSACTION, as the pool sends it
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  int64_t conflict_retries_ = 0;
};

// Writes rows 1..rows of SampleImportCustomer(prefix, ·) to `path` as LoadCustomers reads
// them: tab-separated, backslash-escaped, one line per customer, every column as the store
// writes it for an imported company owned and created by `owner` at `now`.
absl::Status WriteCustomerLoadFile(const std::string& path, const std::string& prefix,
                                   int64_t rows, const std::string& owner, absl::Time now);

// The numeric id in "customers/{id}", or 0 when `name` is not of that form.
int64_t CustomerId(const std::string& name);

}  // namespace crm::loadgen
