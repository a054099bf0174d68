// The statements of the performance reports and the feeds they read, as named
// constants (schema/002_performance.sql). store_sql.h holds the rest of the service's.
#pragma once

namespace crm::analytics::sql {

// ---- Filters shared by the performance reports: appended to a WHERE, on the alias "g" ----
inline constexpr char kFilterOwner[] = " AND g.owner = ?";
inline constexpr char kFilterNobody[] = " AND FALSE";
inline constexpr char kFilterMembersOpen[] = " AND g.owner IN (";
inline constexpr char kFilterIndustry[] = " AND g.industry = ?";
inline constexpr char kFilterProvince[] = " AND g.province = ?";
inline constexpr char kFilterCurrency[] = " AND g.currency = ?";

// ---- Trends (performance_reports.cc) -------------------------------------------------------

// Won revenue and deals per day and currency between two days, for the caller's rule and the
// filters appended: day, currency, amount, deals.
inline constexpr char kTrendDays[] =
    "SELECT DATE_FORMAT(g.day, '%Y-%m-%d'), g.currency, CAST(SUM(g.amount_minor) AS SIGNED), "
    "CAST(SUM(g.deals) AS SIGNED) FROM won_daily g WHERE g.day BETWEEN ? AND ? AND ";
inline constexpr char kTrendDaysGroup[] = " GROUP BY g.day, g.currency";

// The same from won_cube (schema/004, 009), for a trend filtered on at most one of industry and
// province, or on both for a caller who sees every figure: the rows of one dimension ('-', 'I',
// 'P' or 'B') and value, daily ('D') or monthly ('M', filed under the month's first day)
// between two days; then either everyone's rows or the owners' rows with the caller's rule,
// the filters appended: period, currency, amount, deals.
inline constexpr char kTrendCube[] =
    "SELECT DATE_FORMAT(g.period, '%Y-%m-%d'), g.currency, CAST(SUM(g.amount_minor) AS SIGNED), "
    "CAST(SUM(g.deals) AS SIGNED) FROM won_cube g WHERE g.dim = ? AND g.dim_value = ? AND "
    "g.grain = ? AND g.period BETWEEN ? AND ? AND ";
inline constexpr char kTrendCubeEveryone[] = "g.owner = ''";
inline constexpr char kTrendCubeOwners[] = "g.owner <> '' AND ";
inline constexpr char kTrendCubeGroup[] = " GROUP BY g.period, g.currency";

// ---- The customers feed's part (performance_model.cc) ------------------------------------

// What a customer adds now: counted, owner, industry, province, size_band, created.
inline constexpr char kLockCustomerFacts[] =
    "SELECT counted, owner, industry, province, size_band, DATE_FORMAT(created, '%Y-%m-%d') "
    "FROM customer_facts WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertCustomerFacts[] =
    "INSERT INTO customer_facts (id, counted, owner, industry, province, size_band, created) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE counted = VALUES(counted), "
    "owner = VALUES(owner), industry = VALUES(industry), province = VALUES(province), "
    "size_band = VALUES(size_band), created = VALUES(created)";
inline constexpr char kCountCustomerFacts[] = "UPDATE customer_facts SET counted = ? WHERE id = ?";
inline constexpr char kDeleteCustomerFacts[] = "DELETE FROM customer_facts WHERE id = ?";

// Adds (or, negative, removes) customers to one group; then drops the group if empty.
inline constexpr char kAddCustomerGroup[] =
    "INSERT INTO customer_groups (owner, industry, province, size_band, customers) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE customers = customers + VALUES(customers)";
inline constexpr char kDropEmptyCustomerGroup[] =
    "DELETE FROM customer_groups WHERE owner = ? AND industry = ? AND province = ? AND "
    "size_band = ? AND customers = 0";
inline constexpr char kAddCustomerNew[] =
    "INSERT INTO customers_new_daily (day, owner, industry, province, size_band, customers) "
    "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE customers = customers + VALUES(customers)";
inline constexpr char kDropEmptyCustomerNew[] =
    "DELETE FROM customers_new_daily WHERE day = ? AND owner = ? AND industry = ? AND "
    "province = ? AND size_band = ? AND customers = 0";

// Adds (or, negative, removes) one customer to its eight customer_cube rows and its eight or
// fourteen customers_new_cube rows (schema/007, 009, 010), each in one statement: the head,
// then the row once per row, separated by commas, then the tail. Rows left at 0 stay (reports
// skip them).
inline constexpr char kAddCustomerCubeHead[] =
    "INSERT INTO customer_cube (slice, slice_value, dim, dim_value, customers) VALUES ";
inline constexpr char kCustomerCubeRow[] = "(?, ?, ?, ?, ?)";
inline constexpr char kAddCustomersNewCubeHead[] =
    "INSERT INTO customers_new_cube (owner, dim, dim_value, grain, period, customers) VALUES ";
inline constexpr char kCustomersNewCubeRow[] = "(?, ?, ?, ?, ?, ?)";
inline constexpr char kAddCustomerCubeTail[] =
    " ON DUPLICATE KEY UPDATE customers = customers + VALUES(customers)";

inline constexpr char kClearCustomerFacts[] = "DELETE FROM customer_facts";
inline constexpr char kClearCustomerGroups[] = "DELETE FROM customer_groups";
inline constexpr char kClearCustomersNew[] = "DELETE FROM customers_new_daily";
inline constexpr char kClearCustomerCube[] = "DELETE FROM customer_cube";
inline constexpr char kClearCustomersNewCube[] = "DELETE FROM customers_new_cube";

// ---- The orders, activities and lead conversions (performance_model.cc) ----------------------

// Adds (or, negative, removes) to one measure of an owner's day; then drops an all-zero day.
inline constexpr char kAddOrdersCreated[] =
    "INSERT INTO owner_daily (day, owner, orders_created) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE orders_created = orders_created + VALUES(orders_created)";
inline constexpr char kAddOrdersCompleted[] =
    "INSERT INTO owner_daily (day, owner, orders_completed) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE orders_completed = orders_completed + VALUES(orders_completed)";
inline constexpr char kAddOrdersCancelled[] =
    "INSERT INTO owner_daily (day, owner, orders_cancelled) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE orders_cancelled = orders_cancelled + VALUES(orders_cancelled)";
inline constexpr char kAddActivities[] =
    "INSERT INTO owner_daily (day, owner, activities) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE activities = activities + VALUES(activities)";
inline constexpr char kAddLeadsConverted[] =
    "INSERT INTO owner_daily (day, owner, leads_converted) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE leads_converted = leads_converted + VALUES(leads_converted)";
inline constexpr char kDropEmptyOwnerDay[] =
    "DELETE FROM owner_daily WHERE day = ? AND owner = ? AND orders_created = 0 AND "
    "orders_completed = 0 AND orders_cancelled = 0 AND activities = 0 AND leads_converted = 0";

// What an order adds now: owner, status, created, completed, cancelled ("" for NULL).
inline constexpr char kLockOrderFacts[] =
    "SELECT owner, status, DATE_FORMAT(created, '%Y-%m-%d'), "
    "COALESCE(DATE_FORMAT(completed, '%Y-%m-%d'), ''), "
    "COALESCE(DATE_FORMAT(cancelled, '%Y-%m-%d'), '') FROM order_facts WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertOrderFacts[] =
    "INSERT INTO order_facts (id, owner, status, created, completed, cancelled) "
    "VALUES (?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, '')) ON DUPLICATE KEY UPDATE "
    "owner = VALUES(owner), status = VALUES(status), created = VALUES(created), "
    "completed = VALUES(completed), cancelled = VALUES(cancelled)";
inline constexpr char kAddOrderStatus[] =
    "INSERT INTO orders_by_status (status, orders) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders)";

// What an activity adds now: owner, day.
inline constexpr char kLockActivityFacts[] =
    "SELECT owner, DATE_FORMAT(day, '%Y-%m-%d') FROM activity_facts WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertActivityFacts[] =
    "INSERT INTO activity_facts (id, owner, day) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE owner = VALUES(owner), day = VALUES(day)";
inline constexpr char kDeleteActivityFacts[] = "DELETE FROM activity_facts WHERE id = ?";

inline constexpr char kSelectLeadConversion[] =
    "SELECT 1 FROM lead_conversions WHERE id = ? FOR UPDATE";
inline constexpr char kInsertLeadConversion[] =
    "INSERT INTO lead_conversions (id, owner, day) VALUES (?, ?, ?)";

// Rewinding a feed clears its measures (the rows left all zero go with them).
inline constexpr char kZeroOrderMeasures[] =
    "UPDATE owner_daily SET orders_created = 0, orders_completed = 0, orders_cancelled = 0";
inline constexpr char kZeroActivityMeasures[] = "UPDATE owner_daily SET activities = 0";
inline constexpr char kZeroLeadMeasures[] = "UPDATE owner_daily SET leads_converted = 0";
inline constexpr char kDropEmptyOwnerDays[] =
    "DELETE FROM owner_daily WHERE orders_created = 0 AND orders_completed = 0 AND "
    "orders_cancelled = 0 AND activities = 0 AND leads_converted = 0";
inline constexpr char kClearOrderFacts[] = "DELETE FROM order_facts";
inline constexpr char kClearOrderStatus[] = "DELETE FROM orders_by_status";
inline constexpr char kClearActivityFacts[] = "DELETE FROM activity_facts";
inline constexpr char kClearLeadConversions[] = "DELETE FROM lead_conversions";

// ---- Business gauge (gauges.cc): orders per status -----------------------------------------
inline constexpr char kGaugeOrders[] = "SELECT status, orders FROM orders_by_status";

// ---- Customer distribution (performance_reports.cc) ----------------------------------------

// For a caller who sees every customer (schema/007, 009): the customers now within one slice
// ('-', 'I' / 'P' and the industry or province named, or 'B' and both), per dimension: dim
// ('I', 'P' or 'S'), dim_value, customers.
inline constexpr char kDistributionCube[] =
    "SELECT g.dim, g.dim_value, g.customers FROM customer_cube g "
    "WHERE g.slice = ? AND g.slice_value = ? AND g.customers > 0";
// The new customers of one dimension ('-', 'I', 'P' or 'B') and value (schema/007, 009, 010):
// whole months from the monthly rows, the days before and after them from the daily rows; then
// either everyone's rows or the owners' rows with the caller's rule and the owner and team
// filters appended: period, customers.
inline constexpr char kDistributionNewCube[] =
    "SELECT DATE_FORMAT(g.period, '%Y-%m-%d'), CAST(SUM(g.customers) AS SIGNED) "
    "FROM customers_new_cube g WHERE g.dim = ? AND g.dim_value = ? AND "
    "((g.grain = 'M' AND g.period BETWEEN ? AND ?) OR "
    "(g.grain = 'D' AND (g.period BETWEEN ? AND ? OR g.period BETWEEN ? AND ?))) AND ";
inline constexpr char kDistributionNewCubeEveryone[] = "g.owner = ''";
inline constexpr char kDistributionNewCubeOwners[] = "g.owner <> '' AND ";
inline constexpr char kDistributionNewCubeGroup[] = " GROUP BY g.period";

// Any other caller: customers now per dimension, for the caller's rule and the filters
// appended: industry, province, size_band, customers.
inline constexpr char kDistributionGroups[] =
    "SELECT g.industry, g.province, g.size_band, CAST(SUM(g.customers) AS SIGNED) "
    "FROM customer_groups g WHERE ";
inline constexpr char kDistributionGroupsGroup[] = " GROUP BY g.industry, g.province, g.size_band";
// New customers per day between two days, for a filter on both industry and province by a
// caller who sees some owners only: day, customers.
inline constexpr char kDistributionNew[] =
    "SELECT DATE_FORMAT(g.day, '%Y-%m-%d'), CAST(SUM(g.customers) AS SIGNED) "
    "FROM customers_new_daily g WHERE g.day BETWEEN ? AND ? AND ";
inline constexpr char kDistributionNewGroup[] = " GROUP BY g.day";

}  // namespace crm::analytics::sql
