#include "services/customers/upcoming_store.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/db/lists.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_rows.h"
#include "services/customers/dates.h"

namespace crm::customers {
namespace {

constexpr int kDaysPerRead = 7;

// The candidates: date rows on one of the (calendar, month, day) triples of the JSON list, of
// live customers the caller may read, and either the customer's own or a live contact's.
constexpr char kCandidates[] =
    "SELECT d.id, d.customer_id, d.contact_id, d.kind, d.label, d.calendar, d.year, d.month, "
    "d.day, d.leap_month, d.yearly, c.display_name, c.owner, COALESCE(ct.display_name, ''), "
    "IF(d.contact_id = 0, c.emails, COALESCE(ct.emails, '')) "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (cal INT PATH '$[0]', m INT PATH '$[1]', dd INT PATH "
    "'$[2]')) j "
    "JOIN relationship_dates d ON d.calendar = j.cal AND d.month = j.m AND d.day = j.dd "
    "JOIN customers c ON c.id = d.customer_id AND c.delete_time IS NULL "
    "LEFT JOIN contacts ct ON d.contact_id <> 0 AND ct.id = d.contact_id AND "
    "ct.customer_id = d.customer_id AND ct.delete_time IS NULL "
    "WHERE (d.contact_id = 0 OR ct.id IS NOT NULL) AND (";

int64_t DayNumber(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

// The (calendar, month, day) a date row must have to occur on `day`, by the yearly rules.
void AddTriples(absl::CivilDay day, std::set<std::tuple<int, int, int>>& triples) {
  const int month = day.month();
  const int dom = day.day();
  triples.insert({v1::GREGORIAN, month, dom});
  // 29 February falls on the 28th in common years.
  if (month == 2 && dom == 28 && absl::CivilDay(day.year(), 3, 1) - day == 1) {
    triples.insert({v1::GREGORIAN, 2, 29});
  }
  const LunarDay lunar = GregorianToLunar(day);
  triples.insert({v1::CHINESE_LUNAR, lunar.month, lunar.day});
  // A 30th falls on the 29th of a 29-day month.
  if (lunar.day == 29 && lunar.days_in_month == 29) {
    triples.insert({v1::CHINESE_LUNAR, lunar.month, 30});
  }
}

}  // namespace

absl::StatusOr<UpcomingDatesStore::Page> UpcomingDatesStore::List(const Query& query) {
  Page page;
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  absl::CivilDay from = query.first;
  if (query.after) from = absl::CivilDay(1970, 1, 1) + query.after->day;
  struct Found {
    Key key;
    v1::UpcomingDate date;
  };
  std::vector<Found> kept;
  for (absl::CivilDay start = from; start <= query.last; start += kDaysPerRead) {
    const absl::CivilDay end = std::min(query.last, start + (kDaysPerRead - 1));
    std::set<std::tuple<int, int, int>> triples;
    for (absl::CivilDay day = start; day <= end; ++day) AddTriples(day, triples);
    std::string json = "[";
    for (const auto& [calendar, month, dom] : triples) {
      absl::StrAppend(&json, json.size() > 1 ? "," : "", "[", calendar, ",", month, ",", dom, "]");
    }
    json += "]";
    std::vector<db::Value> params = {json};
    params.insert(params.end(), query.rule.params.begin(), query.rule.params.end());
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         session->Query(absl::StrCat(kCandidates, query.rule.sql, ")"), params));
    std::vector<Found> found;
    for (const db::Row& row : rows) {
      v1::RelationshipDate date;
      date.set_kind(static_cast<v1::DateKind>(row.Int(3)));
      date.set_label(row.Str(4));
      date.set_calendar(static_cast<v1::Calendar>(row.Int(5)));
      date.set_year(static_cast<int32_t>(row.Int(6)));
      date.set_month(static_cast<int32_t>(row.Int(7)));
      date.set_day(static_cast<int32_t>(row.Int(8)));
      date.set_leap_month(row.Int(9) != 0);
      date.set_yearly(row.Int(10) != 0);
      const std::optional<absl::CivilDay> next = NextOccurrence(date, start);
      if (!next || *next > end) continue;
      // A window longer than a year would meet a yearly date twice: only its next occurrence
      // counts.
      if (start != query.first && NextOccurrence(date, query.first) != next) continue;
      const Key key{DayNumber(*next), row.Int(1), row.Int(2), row.Int(0)};
      if (query.after && key <= *query.after) continue;
      v1::UpcomingDate out;
      out.set_customer(CustomerName(row.Int(1)));
      out.set_customer_display_name(row.Str(11));
      out.set_owner(row.Str(12));
      if (row.Int(2) != 0) {
        out.set_contact(absl::StrCat(out.customer(), "/contacts/", row.Int(2)));
        out.set_contact_display_name(row.Str(13));
      }
      out.set_next_date(absl::StrFormat("%04d-%02d-%02d", next->year(), next->month(),
                                        next->day()));
      out.set_days_until(static_cast<int32_t>(*next - query.first));
      out.set_years(YearsAt(date, *next));
      db::SplitLines(row.Str(14), out.mutable_emails());
      *out.mutable_date() = std::move(date);
      found.push_back({key, std::move(out)});
    }
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.key < b.key; });
    for (Found& f : found) {
      if (kept.size() == static_cast<size_t>(query.page_size)) {
        page.last = kept.back().key;
        break;
      }
      kept.push_back(std::move(f));
    }
    if (page.last) break;
  }
  page.dates.reserve(kept.size());
  for (Found& f : kept) page.dates.push_back(std::move(f.date));
  return page;
}

}  // namespace crm::customers
