// The raw SQL ceiling must stay the store's own work, or every ratio crm-loadgen reports
// compares the service with something else: a create through the service and the same
// create through RawSqlClient must write the same rows in every table of the schema.
#include "tools/loadgen/raw_sql.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "services/customers/customers_testing.h"
#include "tools/loadgen/customer_calls.h"

namespace crm::loadgen {
namespace {

namespace v1 = customers::v1;

class RawSqlTest : public customers::testing::CustomersTest {
 protected:
  // Rows in each table of the schema (the migrations' own bookkeeping included).
  std::map<std::string, int64_t> RowsPerTable() {
    std::map<std::string, int64_t> rows;
    absl::StatusOr<db::Rows> tables = [&]() -> absl::StatusOr<db::Rows> {
      CRM_ASSIGN_OR_RETURN(auto session, pool_->Borrow());
      return session->Query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
          "AND table_type = 'BASE TABLE'",
          {});
    }();
    EXPECT_TRUE(tables.ok()) << tables.status();
    if (!tables.ok()) return rows;
    for (const db::Row& table : *tables) {
      rows[table.Str(0)] = Count(absl::StrCat("SELECT COUNT(*) FROM `", table.Str(0), "`"));
    }
    return rows;
  }

  std::unique_ptr<RawSqlClient> Connect() {
    const db::PoolOptions options = test_->database_options();
    absl::StatusOr<std::unique_ptr<RawSqlClient>> client =
        RawSqlClient::Connect({.unix_socket = options.unix_socket,
                               .host = options.host,
                               .port = options.port,
                               .user = options.user,
                               .password = options.password,
                               .schema = options.schema});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }
};

TEST_F(RawSqlTest, ACreateWritesTheRowsTheServiceWrites) {
  const std::map<std::string, int64_t> before = RowsPerTable();

  // The same customer both ways, as the load generator sends it: the duplicate check finds
  // the first when the second is written, which changes no row the raw create writes.
  v1::CreateCustomerRequest request;
  *request.mutable_customer() = SampleCustomer("raw-sql-test-", 1);
  request.set_request_id("raw-sql-test-service");
  request.set_allow_duplicate(true);
  v1::Customer created;
  ASSERT_TRUE(customers_->Create(admin_, request, &created).ok());
  const std::map<std::string, int64_t> after_service = RowsPerTable();

  std::unique_ptr<RawSqlClient> raw = Connect();
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Create(SampleCustomer("raw-sql-test-", 1), "raw-sql-test-raw").ok());
  const std::map<std::string, int64_t> after_raw = RowsPerTable();

  ASSERT_EQ(before.size(), after_raw.size());
  for (const auto& [table, count] : before) {
    EXPECT_EQ(after_raw.at(table) - after_service.at(table), after_service.at(table) - count)
        << "rows written in " << table << ": raw SQL create against the service's create";
  }
  // The comparison covers what a create writes, not an empty schema.
  for (const char* table : {"customers", "customer_tags", "customer_emails", "customer_phones",
                            "customer_search", "customer_history", "outbox", "idempotency_keys"}) {
    EXPECT_GT(after_service.at(table), before.at(table)) << table;
  }
}

}  // namespace
}  // namespace crm::loadgen
