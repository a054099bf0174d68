// `crmctl demo-load` against the whole suite, as `tools/dev up` runs it: the first load
// creates the demo set; a second finds all of it and creates nothing; so does a third after
// every idempotency key has expired (demo objects are found by what they are, not by their
// request ids), which is what a later `up` over a kept database does.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/db/db.h"
#include "tests/support/process.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

using testing::ChildProcess;
using testing::Stack;
using testing::TempDir;

// What the demo set is made of, counted in each service's own schema; an outbox row is
// written with every change, so equal counts mean nothing was written at all.
const std::map<std::string, std::vector<std::string>>& CountedTables() {
  static const auto* tables = new std::map<std::string, std::vector<std::string>>{
      {"auth", {"users", "teams"}},
      {"activities", {"activities", "tasks", "campaigns", "outbox"}},
      {"customers", {"customers", "contacts", "outbox"}},
      {"opportunities", {"leads", "opportunities", "stage_history", "outbox"}},
      {"orders", {"orders", "approval_rules", "outbox"}},
      {"knowledge",
       {"categories", "products", "product_prices", "articles", "article_revisions", "outbox"}},
  };
  return *tables;
}

class DemoLoadE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    for (const auto& [service, tables] : CountedTables()) {
      auto pool = db::Pool::Create(stack_->db(service), nullptr);
      ASSERT_TRUE(pool.ok()) << service << ": " << pool.status();
      pools_[service] = std::move(*pool);
    }
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << stack_->Logs();
  }

  // Runs `crmctl demo-load` through the gateway; its exit status, its output in `output`.
  int DemoLoad(std::string* output) {
    // Read by demo-load, as tools/dev up passes them.
    setenv("CRM_ADMIN_PASSWORD", stack_->admin_password().c_str(), 1);
    setenv("CRM_DEMO_PASSWORD", Stack::kTestPassword, 1);
    const std::string log = absl::StrCat(dir_.path(), "/demo-load-", ++runs_, ".log");
    auto crmctl = ChildProcess::Start(
        CRM_CRMCTL_BIN, {"--target=" + stack_->process("gateway").target(), "demo-load"}, log);
    EXPECT_TRUE(crmctl.ok()) << crmctl.status();
    if (!crmctl.ok()) return -1;
    absl::StatusOr<int> exit = (*crmctl)->Wait(absl::Minutes(3));
    *output = (*crmctl)->LogTail(100000);
    EXPECT_TRUE(exit.ok()) << exit.status();
    return exit.value_or(-1);
  }

  // "service.table" -> rows.
  std::map<std::string, int64_t> Counts() {
    std::map<std::string, int64_t> counts;
    for (const auto& [service, tables] : CountedTables()) {
      auto session = pools_[service]->Borrow();
      EXPECT_TRUE(session.ok()) << session.status();
      if (!session.ok()) continue;
      for (const std::string& table : tables) {
        auto rows = (*session)->Query("SELECT COUNT(*) FROM " + table, {});
        EXPECT_TRUE(rows.ok()) << table << ": " << rows.status();
        counts[service + "." + table] = rows.ok() ? (*rows)[0].Int(0) : -1;
      }
    }
    return counts;
  }

  // What happens to idempotency keys after their retention (7 days by default).
  void ExpireIdempotencyKeys() {
    for (const auto& [service, pool] : pools_) {
      auto session = pool->Borrow();
      ASSERT_TRUE(session.ok()) << session.status();
      ASSERT_TRUE((*session)->Execute("DELETE FROM idempotency_keys", {}).ok()) << service;
    }
  }

  std::unique_ptr<Stack> stack_;
  std::map<std::string, std::unique_ptr<db::Pool>> pools_;
  TempDir dir_;
  int runs_ = 0;
};

TEST_F(DemoLoadE2eTest, LoadingAgainCreatesNothingEvenAfterTheKeysExpired) {
  std::string output;
  ASSERT_EQ(DemoLoad(&output), 0) << output;
  const std::map<std::string, int64_t> loaded = Counts();
  // The set as the README describes it (auth also has its bootstrap admin).
  EXPECT_EQ(loaded.at("auth.users"), 6);
  EXPECT_EQ(loaded.at("auth.teams"), 1);
  // 30 demo customers and the one the converted demo lead became.
  EXPECT_EQ(loaded.at("customers.customers"), 31);
  EXPECT_EQ(loaded.at("knowledge.categories"), 10);
  EXPECT_EQ(loaded.at("knowledge.products"), 20);
  EXPECT_EQ(loaded.at("knowledge.articles"), 7);
  EXPECT_EQ(loaded.at("knowledge.article_revisions"), 7) << "each article published once";
  EXPECT_GT(loaded.at("knowledge.product_prices"), 20);
  EXPECT_EQ(loaded.at("activities.campaigns"), 1);

  ASSERT_EQ(DemoLoad(&output), 0) << output;
  EXPECT_EQ(Counts(), loaded) << "the second load wrote something:\n" << output;
  EXPECT_NE(output.find(" 0 created"), std::string::npos) << output;

  ExpireIdempotencyKeys();
  ASSERT_EQ(DemoLoad(&output), 0) << output;
  EXPECT_EQ(Counts(), loaded) << "a load after the keys expired wrote something:\n" << output;
  EXPECT_NE(output.find(" 0 created"), std::string::npos) << output;
}

}  // namespace
}  // namespace crm
