// The statement texts of the orders service's stores, every value bound. Reads of an order
// by id are prefixes the owned-record kit extends with " AND (<the caller's rule>)".
#pragma once

#include <cstddef>

namespace crm::orders::sql {

// The SELECT list OrderFromRow (order_data.cc) maps, in this order.
#define CRM_ORDER_COLUMNS                                                                      \
  "o.id, o.version, o.customer, o.customer_display_name, o.opportunity, o.owner, o.creator, "  \
  "o.currency_code, o.status, o.held_from, o.order_time, o.requested_delivery_date, "          \
  "o.ship_recipient, o.ship_phone, o.ship_country, o.ship_province, o.ship_city, "             \
  "o.ship_street, o.ship_postal_code, o.notes, o.next_line_number, o.subtotal_minor, "         \
  "o.discount_minor, o.total_minor, o.invoiced_minor, o.credited_minor, o.paid_minor, "        \
  "o.stock_requested, o.replacement_for, o.replacement_return, o.approval_id, o.create_time, " \
  "o.update_time, o.status_time"
inline constexpr size_t kOrderColumnCount = 34;
inline constexpr size_t kOwnerIndex = 5;

inline constexpr char kSelectOrderColumns[] = "SELECT " CRM_ORDER_COLUMNS;
inline constexpr char kFromOrders[] = " FROM orders o WHERE TRUE";
inline constexpr char kSelectOrderById[] =
    "SELECT " CRM_ORDER_COLUMNS " FROM orders o WHERE o.id = ?";
inline constexpr char kLockOrderById[] =
    "SELECT " CRM_ORDER_COLUMNS " FROM orders o WHERE o.id = ? FOR UPDATE";
// The orders waiting for an approval, for ListPendingApprovals (the approver condition and
// the page follow).
inline constexpr char kFromPendingApprovals[] =
    " FROM orders o JOIN approvals a ON a.id = o.approval_id WHERE a.state = 1";
#undef CRM_ORDER_COLUMNS

inline constexpr char kInsertOrder[] =
    "INSERT INTO orders (customer, customer_display_name, opportunity, owner, creator, "
    "currency_code, status, held_from, order_time, requested_delivery_date, ship_recipient, "
    "ship_phone, ship_country, ship_province, ship_city, ship_street, ship_postal_code, notes, "
    "next_line_number, subtotal_minor, discount_minor, total_minor, stock_requested, "
    "replacement_for, replacement_return, create_time, update_time, status_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
inline constexpr char kUpdateOrder[] =
    "UPDATE orders SET customer = ?, customer_display_name = ?, owner = ?, currency_code = ?, "
    "status = ?, held_from = ?, requested_delivery_date = ?, ship_recipient = ?, ship_phone = ?, "
    "ship_country = ?, ship_province = ?, ship_city = ?, ship_street = ?, ship_postal_code = ?, "
    "notes = ?, next_line_number = ?, subtotal_minor = ?, discount_minor = ?, total_minor = ?, "
    "invoiced_minor = ?, credited_minor = ?, paid_minor = ?, stock_requested = ?, "
    "approval_id = ?, update_time = ?, status_time = ?, version = version + 1 "
    "WHERE id = ? AND version = ?";

inline constexpr char kSelectLinesPrefix[] =
    "SELECT order_id, line_number, product, product_display_name, sku, unit, "
    "external_product_id, price, unit_price_minor, quantity, discount_bps, list_minor, "
    "discount_minor, total_minor, shipped_quantity, delivered_quantity, returned_quantity "
    "FROM order_lines WHERE order_id IN (";
inline constexpr char kDeleteLines[] = "DELETE FROM order_lines WHERE order_id = ?";
inline constexpr char kInsertLine[] =
    "INSERT INTO order_lines (order_id, line_number, product, product_display_name, sku, unit, "
    "external_product_id, price, unit_price_minor, quantity, discount_bps, list_minor, "
    "discount_minor, total_minor, shipped_quantity, delivered_quantity, returned_quantity) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kUpdateLineProgress[] =
    "UPDATE order_lines SET shipped_quantity = ?, delivered_quantity = ?, returned_quantity = ? "
    "WHERE order_id = ? AND line_number = ?";

inline constexpr char kInsertHistory[] =
    "INSERT INTO order_status_history (order_id, from_status, to_status, actor, reason, "
    "change_time) VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr char kSelectHistory[] =
    "SELECT from_status, to_status, actor, reason, change_time FROM order_status_history "
    "WHERE order_id = ? ORDER BY id";

#define CRM_APPROVAL_COLUMNS                                                                   \
  "id, order_id, state, approver_role, approver, submitter, owner, required_role, reasons, "   \
  "currency_code, total_minor, max_discount_bps, submit_time, assign_time, escalate_time, "    \
  "decider, comment, decide_time"
inline constexpr char kSelectApprovalsPrefix[] =
    "SELECT " CRM_APPROVAL_COLUMNS " FROM approvals WHERE id IN (";
inline constexpr char kSelectApprovalsOfOrder[] =
    "SELECT " CRM_APPROVAL_COLUMNS " FROM approvals WHERE order_id = ? ORDER BY id";
#undef CRM_APPROVAL_COLUMNS
inline constexpr char kInsertApproval[] =
    "INSERT INTO approvals (order_id, state, approver_role, approver, submitter, owner, "
    "required_role, reasons, currency_code, total_minor, max_discount_bps, submit_time, "
    "assign_time, escalate_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateApproval[] =
    "UPDATE approvals SET state = ?, approver_role = ?, approver = ?, assign_time = ?, "
    "escalate_time = ?, decider = ?, comment = ?, decide_time = ? WHERE id = ?";
inline constexpr char kSelectDecisionsPrefix[] =
    "SELECT approval_id, action, actor, approver_role, approver, comment, decision_time "
    "FROM approval_decisions WHERE approval_id IN (";
inline constexpr char kInsertDecision[] =
    "INSERT INTO approval_decisions (approval_id, order_id, action, actor, approver_role, "
    "approver, comment, decision_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
// Pending manager approvals past their escalation time, oldest first.
inline constexpr char kSelectDueEscalations[] =
    "SELECT id, order_id FROM approvals WHERE state = 1 AND escalate_time IS NOT NULL "
    "AND escalate_time <= ? ORDER BY escalate_time, id LIMIT ?";
inline constexpr char kLockApproval[] =
    "SELECT state, escalate_time FROM approvals WHERE id = ? FOR UPDATE";

inline constexpr char kSelectRules[] =
    "SELECT id, display_name, approver_role, discount_above_bps, total_at_least_minor, "
    "total_currency, customer, product, creator, create_time FROM approval_rules "
    "WHERE delete_time IS NULL";
inline constexpr char kFromRules[] = " FROM approval_rules r WHERE r.delete_time IS NULL";
inline constexpr char kSelectRuleColumns[] =
    "SELECT r.id, r.display_name, r.approver_role, r.discount_above_bps, "
    "r.total_at_least_minor, r.total_currency, r.customer, r.product, r.creator, r.create_time";
inline constexpr size_t kRuleColumnCount = 10;
inline constexpr char kSelectRuleById[] =
    "SELECT r.id, r.display_name, r.approver_role, r.discount_above_bps, "
    "r.total_at_least_minor, r.total_currency, r.customer, r.product, r.creator, r.create_time "
    "FROM approval_rules r WHERE r.id = ? AND r.delete_time IS NULL FOR UPDATE";
inline constexpr char kInsertRule[] =
    "INSERT INTO approval_rules (display_name, approver_role, discount_above_bps, "
    "total_at_least_minor, total_currency, customer, product, creator, create_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kDeleteRule[] = "UPDATE approval_rules SET delete_time = ? WHERE id = ?";

inline constexpr char kSelectShipmentsOfOrder[] =
    "SELECT id, order_id, external_reference, status, carrier, tracking_number, ship_time, "
    "deliver_time, recorder, create_time FROM shipments WHERE order_id = ? ORDER BY id";
inline constexpr char kLockShipmentByReference[] =
    "SELECT id, order_id, external_reference, status, carrier, tracking_number, ship_time, "
    "deliver_time, recorder, create_time FROM shipments WHERE external_reference = ? FOR UPDATE";
inline constexpr char kSelectShipmentLines[] =
    "SELECT line_number, quantity FROM shipment_lines WHERE shipment_id = ? ORDER BY line_number";
inline constexpr char kInsertShipment[] =
    "INSERT INTO shipments (order_id, external_reference, status, carrier, tracking_number, "
    "ship_time, deliver_time, recorder, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kInsertShipmentLine[] =
    "INSERT INTO shipment_lines (shipment_id, line_number, quantity) VALUES (?, ?, ?)";
inline constexpr char kMarkShipmentDelivered[] =
    "UPDATE shipments SET status = 2, deliver_time = ?, update_time = ? WHERE id = ?";

inline constexpr char kSelectPaymentsOfOrder[] =
    "SELECT id, order_id, external_reference, amount_minor, currency_code, method, paid_time, "
    "recorder, create_time FROM payments WHERE order_id = ? ORDER BY id";
inline constexpr char kSelectPaymentByReference[] =
    "SELECT id, order_id, external_reference, amount_minor, currency_code, method, paid_time, "
    "recorder, create_time FROM payments WHERE external_reference = ? FOR UPDATE";
inline constexpr char kInsertPayment[] =
    "INSERT INTO payments (order_id, external_reference, amount_minor, currency_code, method, "
    "paid_time, recorder, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

inline constexpr char kInsertDelivery[] =
    "INSERT INTO deliveries (event_id, event_type, order_id, order_name, system, effect, "
    "payload, currency_code, amount_minor, state, next_attempt_time, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";

}  // namespace crm::orders::sql
