// What happened to an order after it was confirmed, as the stores hold it: shipments and
// payments reported by the external systems, and returns. Shared by the stores and the FULL
// view of an order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/orders/v1/orders.pb.h"
#include "libs/db/db.h"
#include "services/orders/order_data.h"

namespace crm::orders {

// A row of sql::kSelectShipmentsOfOrder / kLockShipmentByReference, with its lines.
absl::StatusOr<v1::Shipment> ShipmentFromRow(db::Session& session, const db::Row& row);
// A row of sql::kSelectPaymentsOfOrder / kSelectPaymentByReference (amount in `currency`).
v1::Payment PaymentFromRow(const db::Row& row);

struct ReturnLineRecord {
  int line_number = 0;
  int64_t quantity = 0;
  int64_t received = 0;
  int64_t refund = 0;
};

struct ReturnRecord {
  int64_t id = 0;
  int64_t version = 1;
  int64_t order_id = 0;
  v1::ReturnState state = v1::RETURN_REQUESTED;
  v1::ReturnResolution requested_resolution = v1::REFUND;
  v1::ReturnResolution resolution = v1::RETURN_RESOLUTION_UNSPECIFIED;
  std::string reason;
  std::string requester;
  std::string decider;
  std::string comment;
  int64_t refund = 0;
  int64_t replacement_order_id = 0;
  absl::Time create_time;
  absl::Time update_time;
  std::vector<ReturnLineRecord> lines;

  std::string name() const;
};

// The SELECT list ReturnFromRow maps (alias r, joined to orders o for the record rules).
inline constexpr char kSelectReturnColumns[] =
    "SELECT r.id, r.version, r.order_id, r.state, r.requested_resolution, r.resolution, "
    "r.reason, r.requester, r.decider, r.comment, r.refund_minor, r.replacement_order_id, "
    "r.create_time, r.update_time, o.customer, o.owner, o.currency_code, o.creator";
inline constexpr size_t kReturnColumnCount = 18;
inline constexpr char kFromReturns[] = " FROM order_returns r JOIN orders o ON o.id = r.order_id "
                                       "WHERE TRUE";
ReturnRecord ReturnFromRow(const db::Row& row);
// Its lines, in place.
absl::Status LoadReturnLines(db::Session& session, ReturnRecord& record);

// The API message; `order` supplies the customer, owner and currency.
struct ReturnOrderFacts {
  std::string customer;
  std::string owner;
  std::string currency;
  std::string creator;
  const OrderRecord* order = nullptr;  // for the lines' SKUs, when loaded
};
ReturnOrderFacts FactsFromRow(const db::Row& row);
v1::Return ReturnToProto(const ReturnRecord& record, const ReturnOrderFacts& facts);

// Every return of `order`, oldest first.
absl::StatusOr<std::vector<v1::Return>> LoadReturnsOfOrder(db::Session& session,
                                                           const OrderRecord& order);

}  // namespace crm::orders
