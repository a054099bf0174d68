#include "services/activities/greeting_records.h"

#include "absl/strings/str_cat.h"
#include "libs/api/query.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/greeting_store.h"

namespace crm::activities {
namespace sql {

// The SELECT list GreetingFromRow maps, in this order. The owner is the customer's as the
// customers feed keeps it, else the one the greeting was planned with.
#define CRM_GREETING_API_COLUMNS                                                             \
  "g.id, g.version, g.customer_id, g.contact_id, g.occasion, g.occasion_label, "            \
  "DATE_FORMAT(g.send_date, '%Y-%m-%d'), g.years, COALESCE(co.owner, g.owner), "            \
  "g.recipient_name, g.recipient_email, g.language, g.subject, g.body, g.edited, g.state, " \
  "g.attempts, g.last_error, g.skip_reason, g.sent_time"
#define CRM_GREETING_API_JOIN " LEFT JOIN customer_owners co ON co.customer_id = g.customer_id"
inline constexpr size_t kGreetingColumnCount = 20;
inline constexpr size_t kGreetingOwnerIndex = 8;
inline constexpr char kGreetingOwner[] = "COALESCE(co.owner, g.owner)";

inline constexpr char kSelectGreetingApiColumns[] = "SELECT " CRM_GREETING_API_COLUMNS;
inline constexpr char kFromGreetings[] = " FROM greetings g" CRM_GREETING_API_JOIN " WHERE 1 = 1";
inline constexpr char kSelectGreetingApiById[] =
    "SELECT " CRM_GREETING_API_COLUMNS " FROM greetings g" CRM_GREETING_API_JOIN
    " WHERE g.id = ?";
inline constexpr char kEditGreetingWording[] =
    "UPDATE greetings g" CRM_GREETING_API_JOIN
    " SET g.subject = ?, g.body = ?, g.edited = 1, g.version = g.version + 1, "
    "g.update_time = ? WHERE g.id = ?";
inline constexpr char kSkipGreetingWithReason[] =
    "UPDATE greetings g" CRM_GREETING_API_JOIN
    " SET g.state = 2, g.skip_reason = ?, g.version = g.version + 1, g.update_time = ? "
    "WHERE g.id = ?";
#undef CRM_GREETING_API_JOIN
#undef CRM_GREETING_API_COLUMNS

}  // namespace sql

namespace {

constexpr char kGreetings[] = "greetings";

// Indexed by Role: ROLE_UNSPECIFIED, ADMIN, SALES_MANAGER, SALES_REP, MARKETING, SUPPORT.
constexpr auth::RecordRules kGreetingRules = {
    .read = {auth::Scope::kNone, auth::Scope::kAll, auth::Scope::kTeam, auth::Scope::kOwn,
             auth::Scope::kAll, auth::Scope::kNone},
    .write = {auth::Scope::kNone, auth::Scope::kAll, auth::Scope::kTeam, auth::Scope::kOwn,
              auth::Scope::kOwn, auth::Scope::kNone},
};

v1::Greeting GreetingFromRow(const db::Row& row) {
  v1::Greeting g;
  g.set_name(api::ResourceName(kGreetings, row.Int(0)));
  g.set_etag(api::EtagFromVersion(row.Int(1)));
  const std::string customer = api::ResourceName("customers", row.Int(2));
  g.set_customer(customer);
  if (row.Int(3) != 0) g.set_contact(absl::StrCat(customer, "/contacts/", row.Int(3)));
  g.set_occasion(static_cast<v1::Greeting::Occasion>(row.Int(4)));
  g.set_occasion_label(row.Str(5));
  g.set_send_date(row.Str(6));
  g.set_years(static_cast<int32_t>(row.Int(7)));
  g.set_owner(row.Str(sql::kGreetingOwnerIndex));
  g.set_recipient_name(row.Str(9));
  g.set_recipient_email(row.Str(10));
  g.set_language(row.Str(11));
  g.set_subject(row.Str(12));
  g.set_body(row.Str(13));
  g.set_edited(row.Int(14) != 0);
  g.set_state(static_cast<v1::Greeting::State>(row.Int(15)));
  g.set_attempts(static_cast<int32_t>(row.Int(16)));
  g.set_last_error(row.Str(17));
  g.set_skip_reason(row.Str(18));
  if (!row.IsNull(19)) *g.mutable_sent_time() = TimestampFromDateTime(row.Str(19));
  return g;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "g.state",
           .enum_values = api::EnumValues(*v1::Greeting::State_descriptor())},
          // "YYYY-MM-DD": MariaDB compares a DATE with such text as a date.
          {.name = "send_date", .column = "g.send_date", .orderable = true},
          {.name = "customer", .column = "CONCAT('customers/', g.customer_id)"},
      },
      "g.id");
  return *fields;
}

absl::Status NotPending(const v1::Greeting& g) {
  return Error(absl::StatusCode::kFailedPrecondition, "GREETING_NOT_PENDING",
               absl::StrCat(g.name(), " is ", v1::Greeting::State_Name(g.state()),
                            ": only a PENDING greeting can be changed or skipped"));
}

}  // namespace

const auth::RecordRules& GreetingRules() { return kGreetingRules; }

absl::StatusOr<v1::Greeting> ReadGreetingMessage(db::Session& session, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kSelectGreetingApiById, {id}));
  if (rows.empty()) return absl::InternalError(absl::StrCat("greetings/", id, " vanished"));
  return GreetingFromRow(rows.at(0));
}

GreetingRecords::GreetingRecords(db::Pool& pool, const Clock& clock)
    : pool_(pool),
      clock_(clock),
      greetings_({.collection = kGreetings,
                  .not_found_reason = "GREETING_NOT_FOUND",
                  .owner_column = sql::kGreetingOwner,
                  .select_by_id = sql::kSelectGreetingApiById,
                  .owner_index = sql::kGreetingOwnerIndex,
                  .select_columns = sql::kSelectGreetingApiColumns,
                  .column_count = sql::kGreetingColumnCount,
                  .from_live = sql::kFromGreetings}) {}

const api::ListSpec& GreetingRecords::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "send_date"};
  return spec;
}

absl::StatusOr<v1::Greeting> GreetingRecords::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, greetings_.Get(*session, access, id));
  return GreetingFromRow(row);
}

absl::StatusOr<api::Page<v1::Greeting>> GreetingRecords::List(const records::Access& access,
                                                              const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return greetings_.List<v1::Greeting>(*session, access, query, GreetingFromRow);
}

absl::StatusOr<v1::Greeting> GreetingRecords::Edit(const records::Access& access, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const std::optional<std::string>& subject,
                                                   const std::optional<std::string>& body,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Greeting>(
      pool_, key, [&](db::Transaction& tx, v1::Greeting& edited) -> absl::Status {
        // The row lock orders this against a sender's claim: whichever comes second sees the
        // other's state.
        CRM_ASSIGN_OR_RETURN(db::Row row, greetings_.Lock(tx, access, id));
        const v1::Greeting current = GreetingFromRow(row);
        if (current.state() != v1::Greeting::PENDING) return NotPending(current);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        CRM_RETURN_IF_ERROR(greetings_.Write(
            tx, access, sql::kEditGreetingWording,
            {subject.value_or(current.subject()), body.value_or(current.body()),
             db::FormatDateTime(clock_.Now()), id}));
        CRM_ASSIGN_OR_RETURN(edited, ReadGreetingMessage(tx, id));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Greeting> GreetingRecords::Skip(const records::Access& access, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const std::string& reason,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Greeting>(
      pool_, key, [&](db::Transaction& tx, v1::Greeting& skipped) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, greetings_.Lock(tx, access, id));
        const v1::Greeting current = GreetingFromRow(row);
        if (current.state() == v1::Greeting::SKIPPED) {
          // Skipped already (a retry, or someone else first): the outcome asked for holds.
          skipped = current;
          return absl::OkStatus();
        }
        if (current.state() != v1::Greeting::PENDING) return NotPending(current);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        CRM_RETURN_IF_ERROR(greetings_.Write(tx, access, sql::kSkipGreetingWithReason,
                                             {reason, db::FormatDateTime(clock_.Now()), id}));
        CRM_ASSIGN_OR_RETURN(skipped, ReadGreetingMessage(tx, id));
        return events::Append(tx,
                              {.type = kGreetingSkippedEvent,
                               .resource = skipped.name(),
                               .actor = access.actor(),
                               .changed_paths = {"state", "skip_reason"}},
                              skipped);
      });
}

}  // namespace crm::activities
