#include "tools/loadgen/raw_sql.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <google/protobuf/any.pb.h>
#include <mysql_driver.h>

#include <cstdio>
#include <iterator>
#include <random>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/api/match_key.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/db/json.h"
#include "libs/events/outbox.h"
#include "libs/search/search.h"
#include "libs/search/tokenizer.h"
#include "services/customers/customer_rows.h"
#include "services/customers/store_sql.h"
#include "tools/loadgen/import_calls.h"

namespace crm::loadgen {
namespace {

namespace v1 = customers::v1;

// The service's own statement texts, so the ceiling runs exactly the same SQL. The service
// appends the caller's visibility condition to its by-id SELECT; for the admin the load
// generator signs in as, that condition is "TRUE".
const std::string kSelectById = std::string(customers::sql::kSelectById) + " AND (TRUE)";
constexpr const char* kInsert = customers::sql::kInsert;
constexpr const char* kAppendEvent = events::kAppendSql;
constexpr const char* kRecordResult = db::kRecordResultSql;

// Deadlock and lock-wait timeout: the errors the service's pool retries.
constexpr int kDeadlock = 1213;
constexpr int kLockWaitTimeout = 1205;
// The pool's policy (libs/db/pool.cc, InTransaction): three attempts, then give up.
constexpr int kMaxConflictAttempts = 3;

absl::Status FromException(const sql::SQLException& e) {
  const bool conflict = e.getErrorCode() == kDeadlock || e.getErrorCode() == kLockWaitTimeout;
  return absl::Status(
      conflict ? absl::StatusCode::kAborted : absl::StatusCode::kInternal,
      absl::StrCat("mysql error ", e.getErrorCode(), " (", e.getSQLState(), "): ", e.what()));
}

// The pool's back-off before retrying a conflicted transaction: 1-5 ms times the attempt,
// so two transactions that deadlocked do not collide again in lock step.
void SleepWithJitter(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<int> micros(1000 * attempt, 5000 * attempt);
  absl::SleepFor(absl::Microseconds(micros(random)));
}

void SetBytes(sql::PreparedStatement& stmt, unsigned int index, const std::string& bytes) {
  // SQLString keeps the length, so payload bytes after a zero byte survive.
  stmt.setString(index, sql::SQLString(bytes.data(), bytes.size()));
}

// ["a","b"]: the value list of a duplicate lookup.
std::string JsonList(const std::vector<std::string>& values) {
  std::string json = "[";
  for (const std::string& value : values) {
    if (json.size() > 1) json.push_back(',');
    db::AppendJsonString(json, value);
  }
  json.push_back(']');
  return json;
}

// The DATETIME(6) text the store writes, in UTC.
std::string DateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

// The idempotency record's request hash, made by the service's own db::KeyFor (the
// service also hashes in the caller; the cost is the same).
std::string RequestHash(const v1::Customer& customer) {
  v1::CreateCustomerRequest request;
  *request.mutable_customer() = customer;
  return db::KeyFor("CreateCustomer", request).request_hash;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RawSqlClient>> RawSqlClient::Connect(const DbOptions& options) {
  sql::ConnectOptionsMap props;
  if (!options.unix_socket.empty()) {
    props["hostName"] = sql::SQLString("localhost");
    props["socket"] = sql::SQLString(options.unix_socket);
  } else {
    props["hostName"] = sql::SQLString("tcp://" + options.host);
    props["port"] = options.port;
  }
  props["userName"] = sql::SQLString(options.user);
  props["password"] = sql::SQLString(options.password);
  props["schema"] = sql::SQLString(options.schema);
  props["OPT_RECONNECT"] = false;
  props["CLIENT_MULTI_STATEMENTS"] = false;
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  props["characterSetResults"] = sql::SQLString("utf8mb4");
  if (options.local_infile) props["OPT_LOCAL_INFILE"] = 1;
  try {
    std::unique_ptr<sql::Connection> connection(
        sql::mysql::get_mysql_driver_instance()->connect(props));
    std::unique_ptr<sql::Statement> setup(connection->createStatement());
    setup->execute("SET time_zone = '+00:00'");
    setup->execute("SET NAMES utf8mb4");
    // As libs/db/pool.cc sets it: no gap locks between concurrent inserts.
    setup->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    return std::unique_ptr<RawSqlClient>(new RawSqlClient(std::move(connection)));
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

RawSqlClient::RawSqlClient(std::unique_ptr<sql::Connection> connection)
    : connection_(std::move(connection)), statement_(connection_->createStatement()) {}

RawSqlClient::~RawSqlClient() {
  // Statements hold server-side handles of the connection: close them first.
  statements_.clear();
  statement_.reset();
  try {
    connection_.reset();
  } catch (const sql::SQLException&) {
    // A connection that died under load may throw on close; there is nothing to recover.
  }
}

sql::PreparedStatement& RawSqlClient::Prepare(const std::string& text) {
  auto it = statements_.find(text);
  if (it == statements_.end()) {
    it = statements_
             .emplace(text,
                      std::unique_ptr<sql::PreparedStatement>(connection_->prepareStatement(text)))
             .first;
  }
  return *it->second;
}

int64_t RawSqlClient::ReadRows(sql::PreparedStatement& stmt) {
  std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
  sql::ResultSetMetaData& meta = *rs->getMetaData();
  const unsigned int columns = meta.getColumnCount();
  int64_t rows = 0;
  while (rs->next()) {
    ++rows;
    // Read every column, as the store does before mapping the row.
    for (unsigned int i = 1; i <= columns; ++i) {
      if (!rs->isNull(i)) (void)rs->getString(i);
    }
  }
  return rows;
}

absl::Status RawSqlClient::ReadAll(sql::PreparedStatement& stmt, const std::string& what) {
  if (ReadRows(stmt) == 0) return absl::NotFoundError(absl::StrCat(what, " found nothing"));
  return absl::OkStatus();
}

absl::Status RawSqlClient::Get(int64_t id) {
  try {
    sql::PreparedStatement& select = Prepare(kSelectById);
    select.setInt64(1, id);
    return ReadAll(select, absl::StrCat("customers/", id));
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

absl::Status RawSqlClient::Query(const api::SqlFragment& statement) {
  try {
    sql::PreparedStatement& query = Prepare(statement.sql);
    unsigned int index = 1;
    for (const db::Value& param : statement.params) {
      if (const auto* number = std::get_if<int64_t>(&param)) {
        query.setInt64(index++, *number);
      } else if (const auto* text = std::get_if<std::string>(&param)) {
        SetBytes(query, index++, *text);
      } else {
        query.setNull(index++, sql::DataType::VARCHAR);
      }
    }
    return ReadAll(query, "the query");
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

absl::Status RawSqlClient::Create(const v1::Customer& customer, const std::string& request_id) {
  for (int attempt = 1;; ++attempt) {
    absl::Status status = CreateOnce(customer, request_id);
    if (status.code() != absl::StatusCode::kAborted || attempt == kMaxConflictAttempts) {
      return status;
    }
    ++conflict_retries_;
    SleepWithJitter(attempt);
  }
}

absl::Status RawSqlClient::CreateOnce(const v1::Customer& customer, const std::string& request_id) {
  try {
    statement_->execute("START TRANSACTION");
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
  absl::Status status = CreateInTransaction(customer, request_id);
  try {
    if (status.ok()) {
      connection_->commit();
    } else {
      connection_->rollback();
    }
  } catch (const sql::SQLException& e) {
    if (status.ok()) status = FromException(e);
  }
  return status;
}

absl::Status RawSqlClient::CreateInTransaction(const v1::Customer& customer,
                                               const std::string& request_id) {
  try {
    // Like db::IdempotentWrite, a first call does not look for a stored result: the
    // idempotency row inserted last is what would stop a repeated request_id.
    const absl::Time now_time = absl::Now();
    const std::string now = DateTime(now_time);
    const std::string company_key = api::CompanyMatchKey(customer.display_name());

    // The duplicate check (FindMatches): one statement, a part per kind of key, each with the
    // caller's read rule in its SELECT list (the admin's is TRUE).
    std::vector<std::string> emails;
    for (const std::string& email : customer.emails()) {
      emails.push_back(absl::AsciiStrToLower(email));
    }
    const std::vector<std::string> phones(customer.phones().begin(), customer.phones().end());
    const std::vector<std::string> companies = {company_key};
    const std::pair<const std::vector<std::string>*, const char*> kinds[] = {
        {&emails, customers::sql::kEmailFrom},
        {&phones, customers::sql::kPhoneFrom},
        {&companies, customers::sql::kCompanyFrom}};
    std::string lookup_text;
    std::vector<std::string> lookup_values;
    for (size_t k = 0; k < std::size(kinds); ++k) {
      if (kinds[k].first->empty()) continue;
      absl::StrAppend(&lookup_text, lookup_text.empty() ? "" : " UNION ALL ",
                      customers::sql::kSelectMatches, "(TRUE), ", k, kinds[k].second);
      lookup_values.push_back(JsonList(*kinds[k].first));
    }
    sql::PreparedStatement& lookup = Prepare(lookup_text);
    for (size_t i = 0; i < lookup_values.size(); ++i) {
      SetBytes(lookup, static_cast<unsigned int>(i + 1), lookup_values[i]);
    }
    ReadRows(lookup);

    const v1::Region& region = customer.region();
    sql::PreparedStatement& insert = Prepare(kInsert);
    insert.setString(1, customer.display_name());
    insert.setInt64(2, customer.kind());
    insert.setString(3, customer.industry());
    insert.setInt64(4, customer.size_band());
    insert.setString(5, region.country());
    insert.setString(6, region.province());
    insert.setString(7, region.city());
    insert.setString(8, customer.address());
    insert.setString(9, absl::StrJoin(customer.tags(), "\n"));
    insert.setString(10, absl::StrJoin(customer.emails(), "\n"));
    insert.setString(11, absl::StrJoin(customer.phones(), "\n"));
    insert.setString(12, customer.source());
    insert.setString(13, customer.owner());
    insert.setString(14, customer.creator());
    insert.setString(15, customer.notes());
    insert.setString(16, now);
    insert.setString(17, now);
    // external_id, company_match_key, dates and the derived-data version, as the store binds
    // them for a company without external id or dates.
    insert.setString(18, "");
    insert.setString(19, company_key);
    insert.setString(20, "");
    insert.setInt64(21, customers::sql::kDerivedVersion);
    std::unique_ptr<sql::ResultSet> inserted(insert.executeQuery());
    if (!inserted->next()) return absl::InternalError("insert returned no id");
    const int64_t id = inserted->getInt64(1);

    // Child rows: one statement per child table, its rows as one JSON array (WriteChildren).
    // A customer without relationship dates writes no date rows.
    using Values = google::protobuf::RepeatedPtrField<std::string>;
    const std::pair<const Values*, const char*> children[] = {
        {&customer.tags(), customers::sql::kInsertTags},
        {&customer.emails(), customers::sql::kInsertEmails},
        {&customer.phones(), customers::sql::kInsertPhones}};
    for (const auto& [values, text] : children) {
      if (values->empty()) continue;
      db::JsonRows rows;
      for (const std::string& value : *values) rows.Row().Add(id).Add(value);
      sql::PreparedStatement& add = Prepare(text);
      SetBytes(add, 1, rows.Take());
      add.executeUpdate();
    }

    // The search document (IndexNewCustomer): its terms in one INSERT.
    const search::SourceDocument document = customers::CustomerDocument(id, customer, "", "", "");
    std::vector<search::SearchField> fields;
    for (const search::SourceField& field : document.fields) {
      fields.push_back({field.text, field.weight});
    }
    db::JsonRows terms;
    for (const search::IndexTerm& term : search::DocumentTerms(fields)) {
      terms.Row().Add(term.term).Add(id).Add(int64_t{term.weight});
    }
    sql::PreparedStatement& index = Prepare(customers::CustomerIndex().insert_sql());
    SetBytes(index, 1, terms.Take());
    index.executeUpdate();

    // The history row "created" (WriteHistory).
    db::JsonRows history;
    history.Row().Add(id).Add(int64_t{0}).Add(int64_t{v1::CREATED}).Add("").Add("").Add(
        customer.display_name());
    sql::PreparedStatement& record_history = Prepare(customers::sql::kInsertHistory);
    record_history.setInt64(1, v1::API);
    record_history.setString(2, customer.creator());
    record_history.setString(3, "");
    record_history.setString(4, now);
    SetBytes(record_history, 5, history.Take());
    record_history.executeUpdate();

    // The response and event payload, as the store builds them.
    v1::Customer result = customer;
    result.set_name(absl::StrCat("customers/", id));
    result.set_etag("\"1\"");
    *result.mutable_create_time() = ToTimestamp(now_time);
    *result.mutable_update_time() = result.create_time();

    google::protobuf::Any payload;
    payload.PackFrom(result);
    sql::PreparedStatement& append = Prepare(kAppendEvent);
    append.setString(1, "crm.customers.v1.CustomerCreated");
    append.setString(2, result.name());
    SetBytes(append, 3, payload.SerializeAsString());
    append.setString(4, request_id);
    append.setString(5, DateTime(absl::Now()));
    append.setString(6, result.creator());
    append.setString(7, "");
    append.executeUpdate();

    sql::PreparedStatement& record = Prepare(kRecordResult);
    record.setString(1, request_id);
    record.setString(2, "CreateCustomer");
    record.setString(3, RequestHash(customer));
    SetBytes(record, 4, result.SerializeAsString());
    record.setString(5, DateTime(absl::Now()));
    record.executeUpdate();
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

namespace {

// The columns LoadCustomers fills, in file order: kInsert's, so the loaded rows are the rows
// the store's INSERT would write.
constexpr char kLoadColumns[] =
    "display_name, kind, industry, size_band, country, province, city, address, tags, emails, "
    "phones, source, owner, creator, notes, create_time, update_time, external_id, "
    "company_match_key, dates, derived_version";

// LOAD DATA's default escaping (FIELDS ESCAPED BY '\\'): backslash, tab and newline.
void AppendField(std::string& line, absl::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      default: line += c;
    }
  }
}

}  // namespace

absl::Status WriteCustomerLoadFile(const std::string& path, const std::string& prefix,
                                   int64_t rows, const std::string& owner, absl::Time now) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return absl::InternalError(absl::StrCat("cannot write ", path));
  const std::string time = DateTime(now);
  std::string line;
  bool ok = true;
  for (int64_t sequence = 1; sequence <= rows && ok; ++sequence) {
    const v1::Customer c = SampleImportCustomer(prefix, sequence);
    const std::string fields[] = {
        c.display_name(), absl::StrCat(c.kind()), c.industry(), absl::StrCat(c.size_band()),
        c.region().country(), c.region().province(), c.region().city(), c.address(),
        absl::StrJoin(c.tags(), "\n"), absl::StrJoin(c.emails(), "\n"),
        absl::StrJoin(c.phones(), "\n"), c.source(), owner, owner, c.notes(), time, time,
        c.external_id(), api::CompanyMatchKey(c.display_name()), "",
        absl::StrCat(customers::sql::kDerivedVersion)};
    line.clear();
    for (const std::string& field : fields) {
      if (!line.empty()) line += '\t';
      AppendField(line, field);
    }
    line += '\n';
    ok = std::fwrite(line.data(), 1, line.size(), file) == line.size();
  }
  if (std::fclose(file) != 0) ok = false;
  if (!ok) return absl::InternalError(absl::StrCat("writing ", path, " failed"));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RawSqlClient::LoadCustomers(const std::string& path) {
  if (absl::StrContains(path, "'") || absl::StrContains(path, "\\")) {
    return absl::InvalidArgumentError(absl::StrCat("unusable file name: ", path));
  }
  try {
    // LOAD DATA cannot be prepared; the only text spliced in is our own file name.
    const int64_t loaded = statement_->executeUpdate(absl::StrCat(
        "LOAD DATA LOCAL INFILE '", path, "' INTO TABLE customers CHARACTER SET utf8mb4 (",
        kLoadColumns, ")"));
    connection_->commit();
    return loaded;
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

absl::StatusOr<int64_t> RawSqlClient::DeleteByExternalIdPrefix(const std::string& prefix) {
  try {
    sql::PreparedStatement& remove =
        Prepare("DELETE FROM customers WHERE external_id LIKE ? LIMIT 10000");
    int64_t deleted = 0;
    for (;;) {
      // The prefix is ours (letters, digits and '-'), so it holds no LIKE wildcard.
      remove.setString(1, prefix + "%");
      const int64_t slice = remove.executeUpdate();
      connection_->commit();
      deleted += slice;
      if (slice == 0) return deleted;
    }
  } catch (const sql::SQLException& e) {
    return FromException(e);
  }
}

int64_t CustomerId(const std::string& name) {
  constexpr absl::string_view kPrefix = "customers/";
  int64_t id = 0;
  if (!absl::StartsWith(name, kPrefix) ||
      !absl::SimpleAtoi(absl::string_view(name).substr(kPrefix.size()), &id) || id <= 0) {
    return 0;
  }
  return id;
}

}  // namespace crm::loadgen
