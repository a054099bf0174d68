// The reference ledger's promises, which the orders tests rely on: one entry per key, the
// first reference for a repeat, and exactly P failures in every 100 calls, half of them after
// the effect was applied.
#include "tools/refsystem/ledger.h"

#include <gtest/gtest.h>

namespace crm::refsystem {
namespace {

TEST(LedgerTest, AppliesEachKeyOnce) {
  Ledger ledger;
  absl::StatusOr<Ledger::Applied> first = ledger.Apply({.key = "k1", .kind = "invoice"});
  absl::StatusOr<Ledger::Applied> again = ledger.Apply({.key = "k1", .kind = "invoice"});
  absl::StatusOr<Ledger::Applied> other = ledger.Apply({.key = "k2", .kind = "ship"});
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->reference, "INV-000001");
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(again->reference, "INV-000001");
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(other->reference, "STK-000002");
  EXPECT_EQ(ledger.Entries().size(), 2u);
  EXPECT_EQ(ledger.duplicates(), 1);
  EXPECT_EQ(ledger.Apply({.key = "", .kind = "ship"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LedgerTest, FailsThePlannedShareHalfOfItAfterApplying) {
  Ledger ledger(30);
  int failed = 0;
  for (int i = 0; i < 100; ++i) {
    failed += ledger.Apply({.key = "key-" + std::to_string(i), .kind = "ship"}).ok() ? 0 : 1;
  }
  EXPECT_EQ(failed, 30);
  // 70 answered and 15 applied before their answer was lost.
  EXPECT_EQ(ledger.Entries().size(), 85u);
}

}  // namespace
}  // namespace crm::refsystem
