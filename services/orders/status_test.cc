// The order status machine: every legal move, and a sample of the illegal ones with the
// error a client sees.
#include "services/orders/status.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "libs/grpc/status.h"

namespace crm::orders {
namespace {

using S = v1::OrderStatus;

TEST(StatusMachine, AllowsExactlyTheDocumentedMoves) {
  const std::set<std::pair<S, S>> legal = {
      {v1::DRAFT, v1::PENDING_APPROVAL},          {v1::DRAFT, v1::APPROVED},
      {v1::DRAFT, v1::CANCELLED},                 {v1::PENDING_APPROVAL, v1::APPROVED},
      {v1::PENDING_APPROVAL, v1::DRAFT},          {v1::PENDING_APPROVAL, v1::CANCELLED},
      {v1::APPROVED, v1::CONFIRMED},              {v1::APPROVED, v1::ON_HOLD},
      {v1::APPROVED, v1::CANCELLED},              {v1::CONFIRMED, v1::PARTIALLY_SHIPPED},
      {v1::CONFIRMED, v1::SHIPPED},               {v1::CONFIRMED, v1::DELIVERED},
      {v1::CONFIRMED, v1::ON_HOLD},               {v1::CONFIRMED, v1::CANCELLED},
      {v1::PARTIALLY_SHIPPED, v1::SHIPPED},       {v1::PARTIALLY_SHIPPED, v1::DELIVERED},
      {v1::PARTIALLY_SHIPPED, v1::ON_HOLD},       {v1::SHIPPED, v1::DELIVERED},
      {v1::DELIVERED, v1::COMPLETED},             {v1::ON_HOLD, v1::APPROVED},
      {v1::ON_HOLD, v1::CONFIRMED},               {v1::ON_HOLD, v1::PARTIALLY_SHIPPED},
      {v1::ON_HOLD, v1::SHIPPED},                 {v1::ON_HOLD, v1::DELIVERED},
      {v1::ON_HOLD, v1::CANCELLED},
  };
  int checked = 0;
  for (int from = v1::DRAFT; from <= v1::ON_HOLD; ++from) {
    for (int to = v1::DRAFT; to <= v1::ON_HOLD; ++to) {
      const bool allowed = legal.contains({S(from), S(to)});
      EXPECT_EQ(CanMove(S(from), S(to)), allowed)
          << StatusName(S(from)) << " → " << StatusName(S(to));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 100);
}

TEST(StatusMachine, AnIllegalMoveIsFailedPreconditionNamingBoth) {
  absl::Status st = CheckMove(v1::SHIPPED, v1::CANCELLED);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(st), "ILLEGAL_TRANSITION");
  EXPECT_EQ(st.message(), "an order that is SHIPPED cannot become CANCELLED");
  EXPECT_EQ(ErrorReason(CheckMove(v1::COMPLETED, v1::DRAFT)), "ILLEGAL_TRANSITION");
  EXPECT_EQ(ErrorReason(CheckMove(v1::CANCELLED, v1::APPROVED)), "ILLEGAL_TRANSITION");
  EXPECT_TRUE(CheckEditable(v1::DRAFT).ok());
  EXPECT_EQ(ErrorReason(CheckEditable(v1::PENDING_APPROVAL)), "ORDER_LOCKED");
  EXPECT_EQ(ErrorReason(CheckEditable(v1::APPROVED)), "ORDER_LOCKED");
}

TEST(StatusMachine, ShipmentsDecideTheShippingStatus) {
  EXPECT_EQ(ShippingStatus({{2, 0, 0}, {1, 0, 0}}), v1::CONFIRMED);
  EXPECT_EQ(ShippingStatus({{2, 1, 0}, {1, 0, 0}}), v1::PARTIALLY_SHIPPED);
  EXPECT_EQ(ShippingStatus({{2, 2, 0}, {1, 1, 1}}), v1::SHIPPED);
  EXPECT_EQ(ShippingStatus({{2, 2, 2}, {1, 1, 1}}), v1::DELIVERED);
  EXPECT_EQ(ShippingStatus({{2, 3, 3}}), v1::DELIVERED) << "over-shipped still counts as all";
  EXPECT_EQ(ResumeStatus(v1::APPROVED, {{2, 0, 0}}), v1::APPROVED);
  EXPECT_EQ(ResumeStatus(v1::CONFIRMED, {{2, 2, 0}}), v1::SHIPPED)
      << "shipments reported while held count on resume";
  EXPECT_EQ(ResumeStatus(v1::PARTIALLY_SHIPPED, {{2, 1, 0}}), v1::PARTIALLY_SHIPPED);
}

}  // namespace
}  // namespace crm::orders
