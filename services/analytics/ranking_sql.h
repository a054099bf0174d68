// The staff ranking's statements, as named constants: each reads one period's
// figures per owner (never the empty owner) from the aggregates the feeds keep (won_cube,
// customers_new_daily, owner_daily, quotas) and is completed by the people's condition on
// "g.owner" (staff_ranking.cc) and its GROUP BY.
#pragma once

namespace crm::analytics::sql {

// Won revenue and deals per owner and currency: whole months from the monthly rows, the other
// days from the daily rows (SplitPeriod); the rows for everyone (owner '') are left out.
inline constexpr char kRankingWon[] =
    "SELECT g.owner, g.currency, CAST(SUM(g.amount_minor) AS SIGNED), "
    "CAST(SUM(g.deals) AS SIGNED) FROM won_cube g WHERE g.dim = '-' AND g.owner <> '' AND "
    "((g.grain = 'M' AND g.period BETWEEN ? AND ?) OR "
    "(g.grain = 'D' AND (g.period BETWEEN ? AND ? OR g.period BETWEEN ? AND ?))) AND ";
inline constexpr char kRankingWonGroup[] = " GROUP BY g.owner, g.currency HAVING SUM(g.deals) <> 0";

// New customers per owner between two days.
inline constexpr char kRankingNewCustomers[] =
    "SELECT g.owner, CAST(SUM(g.customers) AS SIGNED) FROM customers_new_daily g "
    "WHERE g.day BETWEEN ? AND ? AND g.owner <> '' AND ";
// Leads converted, activities, orders completed and cancelled per owner between two days.
inline constexpr char kRankingOwnerDays[] =
    "SELECT g.owner, CAST(SUM(g.leads_converted) AS SIGNED), CAST(SUM(g.activities) AS SIGNED), "
    "CAST(SUM(g.orders_completed) AS SIGNED), CAST(SUM(g.orders_cancelled) AS SIGNED) "
    "FROM owner_daily g WHERE g.day BETWEEN ? AND ? AND g.owner <> '' AND ";
inline constexpr char kRankingGroupByOwner[] = " GROUP BY g.owner";

// Each owner's quota for one period key ("2026-03") in one currency.
inline constexpr char kRankingQuotas[] =
    "SELECT g.owner, g.amount_minor FROM quotas g WHERE g.period = ? AND g.currency = ? AND "
    "g.owner <> '' AND ";

// The people's condition: appended to the caller's rule (or alone, for a rep's team).
inline constexpr char kRankingPeopleOpen[] = "g.owner IN (";
inline constexpr char kRankingNobody[] = "FALSE";

}  // namespace crm::analytics::sql
