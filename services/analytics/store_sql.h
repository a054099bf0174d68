// Every statement of crm-analytics, as named constants (schema/001_read_model.sql).
#pragma once

namespace crm::analytics::sql {

// ---- The read model, written by the feeds (read_model.cc) ------------------------------

inline constexpr char kUpsertCustomer[] =
    "INSERT INTO customers (id, industry, province) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE industry = VALUES(industry), province = VALUES(province)";
// A won deal and its customer applied at once (the two feeds run side by side) must be
// serialised, or the deal's transaction reads no customer while the customer's cannot see the
// uncommitted deal, leaving the deal under "" for good. A locking read is not enough under
// READ COMMITTED (no gap locks: a customer not there yet locks nothing), so the deal's
// transaction first holds the customer's row, making an empty one when it is not there: the
// customer's upsert then waits for the deal to commit and moves it, or the deal waits for the
// customer and reads its dimensions.
inline constexpr char kHoldCustomer[] =
    "INSERT INTO customers (id, industry, province) VALUES (?, '', '') "
    "ON DUPLICATE KEY UPDATE id = id";
inline constexpr char kSelectCustomer[] = "SELECT industry, province FROM customers WHERE id = ?";

inline constexpr char kUpsertStage[] =
    "INSERT INTO stages (name, pipeline, display_name) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE pipeline = VALUES(pipeline), display_name = VALUES(display_name)";

// What an opportunity adds now: won, close_date, owner, currency, amount_minor, industry,
// province, open, stage.
inline constexpr char kLockOpportunity[] =
    "SELECT won, DATE_FORMAT(close_date, '%Y-%m-%d'), owner, currency, amount_minor, industry, "
    "province, open, stage FROM opportunities WHERE id = ? FOR UPDATE";
inline constexpr char kUpsertOpportunity[] =
    "INSERT INTO opportunities (id, customer_id, owner, won, open, stage, close_date, currency, "
    "amount_minor, industry, province) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE customer_id = VALUES(customer_id), owner = VALUES(owner), "
    "won = VALUES(won), open = VALUES(open), stage = VALUES(stage), "
    "close_date = VALUES(close_date), currency = VALUES(currency), "
    "amount_minor = VALUES(amount_minor), industry = VALUES(industry), "
    "province = VALUES(province)";
inline constexpr char kDeleteOpportunity[] = "DELETE FROM opportunities WHERE id = ?";
// A customer's won deals, to move when its industry or province changes: id, close_date,
// owner, currency, amount_minor, industry, province.
inline constexpr char kLockWonOfCustomer[] =
    "SELECT id, DATE_FORMAT(close_date, '%Y-%m-%d'), owner, currency, amount_minor, industry, "
    "province FROM opportunities WHERE customer_id = ? AND won = 1 FOR UPDATE";
inline constexpr char kMoveOpportunity[] =
    "UPDATE opportunities SET industry = ?, province = ? WHERE id = ?";

// Adds (or, negative, removes) amount and deals to one group; then drops the group if empty.
inline constexpr char kAddWon[] =
    "INSERT INTO won_daily (day, owner, currency, industry, province, amount_minor, deals) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "amount_minor = amount_minor + VALUES(amount_minor), deals = deals + VALUES(deals)";
inline constexpr char kDropEmptyWon[] =
    "DELETE FROM won_daily WHERE day = ? AND owner = ? AND currency = ? AND industry = ? AND "
    "province = ? AND deals = 0";

// Adds (or, negative, removes) one won deal to its fourteen won_cube rows (schema/004, 009):
// the head, then kCubeRow once per row, separated by commas, then the tail.
inline constexpr char kAddCubeHead[] =
    "INSERT INTO won_cube (dim, grain, owner, period, dim_value, currency, amount_minor, deals) "
    "VALUES ";
inline constexpr char kCubeRow[] = "(?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kAddCubeTail[] =
    " ON DUPLICATE KEY UPDATE amount_minor = amount_minor + VALUES(amount_minor), "
    "deals = deals + VALUES(deals)";

// The same for open deals by stage and currency.
inline constexpr char kAddOpen[] =
    "INSERT INTO open_pipeline (stage, currency, amount_minor, deals) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE amount_minor = amount_minor + VALUES(amount_minor), "
    "deals = deals + VALUES(deals)";
inline constexpr char kDropEmptyOpen[] =
    "DELETE FROM open_pipeline WHERE stage = ? AND currency = ? AND deals = 0";

// Rewinding a feed clears what it built.
inline constexpr char kClearCustomers[] = "DELETE FROM customers";
inline constexpr char kClearOpportunities[] = "DELETE FROM opportunities";
inline constexpr char kClearWon[] = "DELETE FROM won_daily";
inline constexpr char kClearCube[] = "DELETE FROM won_cube";
inline constexpr char kClearOpen[] = "DELETE FROM open_pipeline";
inline constexpr char kClearStages[] = "DELETE FROM stages";

// ---- Reports (report_store.cc) ----------------------------------------------------------

// The sales report: SELECT <key>, currency, amount, deals FROM won_cube w WHERE the dimension
// AND whole months from 'M' rows OR the days of partial months from 'D' rows AND the owners'
// condition [AND owner] [AND currency] GROUP BY key, currency. The key expressions and the
// owners' condition are fixed texts chosen by the grouping and the caller's rule (never from
// the request).
inline constexpr char kSalesSelect[] = "SELECT ";
inline constexpr char kSalesFrom[] =
    " AS k, w.currency, CAST(SUM(w.amount_minor) AS SIGNED), CAST(SUM(w.deals) AS SIGNED) "
    "FROM won_cube w WHERE w.dim = ? AND ((w.grain = 'M' AND w.period BETWEEN ? AND ?) OR "
    "(w.grain = 'D' AND (w.period BETWEEN ? AND ? OR w.period BETWEEN ? AND ?))) AND ";
// Callers who see every figure read the rows for everyone; others their owners' rows.
inline constexpr char kSalesEveryone[] = "w.owner = ''";
inline constexpr char kSalesOwners[] = "w.owner <> '' AND ";
inline constexpr char kSalesOwner[] = " AND w.owner = ?";
inline constexpr char kSalesCurrency[] = " AND w.currency = ?";
inline constexpr char kSalesGroup[] =
    " GROUP BY k, w.currency HAVING SUM(w.deals) > 0 ORDER BY k, w.currency";

inline constexpr char kKeyOwner[] = "w.owner";
inline constexpr char kKeyDay[] = "DATE_FORMAT(w.period, '%Y-%m-%d')";
inline constexpr char kKeyWeek[] = "DATE_FORMAT(w.period, '%x-W%v')";
inline constexpr char kKeyMonth[] = "DATE_FORMAT(w.period, '%Y-%m')";
inline constexpr char kKeyQuarter[] = "CONCAT(YEAR(w.period), '-Q', QUARTER(w.period))";
inline constexpr char kKeyYear[] = "DATE_FORMAT(w.period, '%Y')";
inline constexpr char kKeyIndustry[] = "w.dim_value";
inline constexpr char kKeyProvince[] = "w.dim_value";

// ---- Business gauges (gauges.cc) -------------------------------------------------------

// Open deals by pipeline, stage and currency: pipeline, stage, currency, amount, deals (a
// stage this service has not heard the name of yet is shown by its resource name).
inline constexpr char kGaugePipeline[] =
    "SELECT COALESCE(s.pipeline, ''), COALESCE(s.display_name, p.stage), p.currency, "
    "p.amount_minor, p.deals FROM open_pipeline p LEFT JOIN stages s ON s.name = p.stage";
// Won revenue and deals by currency between two days: currency, amount, deals.
inline constexpr char kGaugeWon[] =
    "SELECT currency, CAST(SUM(amount_minor) AS SIGNED), CAST(SUM(deals) AS SIGNED) "
    "FROM won_cube WHERE dim = '-' AND grain = 'D' AND owner = '' AND period BETWEEN ? AND ? "
    "GROUP BY currency HAVING SUM(deals) > 0";

}  // namespace crm::analytics::sql
