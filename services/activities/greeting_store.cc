#include "services/activities/greeting_store.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/grpc/status.h"
#include "libs/events/outbox.h"
#include "libs/mail/mail.h"
#include "services/activities/event_types.h"
#include "services/activities/greeting_records.h"

namespace crm::activities {
namespace sql {

#define CRM_GREETING_COLUMNS                                                                    \
  "id, customer_id, contact_id, occasion, occasion_label, DATE_FORMAT(send_date, '%Y-%m-%d'), " \
  "years, owner, recipient_name, recipient_email, language, subject, body, edited, state, "     \
  "attempts, last_error, sent_time, version"

inline constexpr char kInsertGreeting[] =
    "INSERT IGNORE INTO greetings (customer_id, contact_id, occasion, occasion_label, year, "
    "send_date, years, owner, recipient_name, recipient_email, language, subject, body, state, "
    "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
inline constexpr char kSelectGreeting[] =
    "SELECT " CRM_GREETING_COLUMNS " FROM greetings WHERE id = ?";
// ? = '' selects every owner's.
inline constexpr char kSelectUpcomingGreetings[] =
    "SELECT " CRM_GREETING_COLUMNS
    " FROM greetings WHERE (owner = ? OR ? = '') "
    "AND send_date >= ? ORDER BY send_date, id LIMIT ?";
#undef CRM_GREETING_COLUMNS

inline constexpr char kSelectDueGreetings[] =
    "SELECT id FROM greetings WHERE send_date BETWEEN ? AND ? AND (state = 1 OR (state = 3 AND "
    "committing = 0 AND claim_expires < ?)) ORDER BY send_date, id LIMIT ?";
// The claim: one statement, so the row lock decides between two replicas.
inline constexpr char kClaimGreeting[] =
    "UPDATE greetings SET state = 3, claim_token = ?, claim_expires = ?, committing = 0, "
    "attempts = attempts + 1, version = version + 1, update_time = ? "
    "WHERE id = ? AND (state = 1 OR (state = 3 AND committing = 0 AND claim_expires < ?))";
inline constexpr char kBeginCommit[] =
    "UPDATE greetings SET committing = 1, update_time = ? "
    "WHERE id = ? AND state = 3 AND claim_token = ? AND committing = 0 AND claim_expires > ?";
inline constexpr char kFinishSent[] =
    "UPDATE greetings SET state = 4, sent_time = ?, committing = 0, claim_token = NULL, "
    "claim_expires = NULL, last_error = '', version = version + 1, update_time = ? "
    "WHERE id = ? AND state IN (3, 6) AND claim_token = ?";
// `state` is 1 (PENDING: retried), 5 (FAILED) or 6 (UNCERTAIN). A holder whose answer came
// after its lease lapsed (UNCERTAIN meanwhile) still records what it learnt.
inline constexpr char kFinishFailed[] =
    "UPDATE greetings SET state = ?, committing = 0, claim_token = NULL, claim_expires = NULL, "
    "last_error = ?, version = version + 1, update_time = ? "
    "WHERE id = ? AND state IN (3, 6) AND claim_token = ?";
inline constexpr char kMarkLapsedCommitsUncertain[] =
    "UPDATE greetings SET state = 6, version = version + 1, update_time = ?, "
    "last_error = 'the sender stopped after handing the message to the mail server' "
    "WHERE state = 3 AND committing = 1 AND claim_expires < ?";

}  // namespace sql

namespace {

constexpr int kLastErrorChars = 500;
// Who the scheduler's events name: the service itself, which sends on nobody's behalf.
constexpr char kGreetingSender[] = "services/activities";

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

Greeting FromRow(const db::Row& row) {
  Greeting g;
  g.id = row.Int(0);
  g.planned.customer_id = row.Int(1);
  g.planned.contact_id = row.Int(2);
  g.planned.occasion = static_cast<Occasion>(row.Int(3));
  g.planned.occasion_label = row.Str(4);
  absl::ParseCivilTime(row.Str(5), &g.planned.send_date);
  g.planned.years = static_cast<int>(row.Int(6));
  g.planned.owner = row.Str(7);
  g.planned.recipient_name = row.Str(8);
  g.planned.recipient_email = row.Str(9);
  g.planned.language = row.Str(10);
  g.planned.subject = row.Str(11);
  g.planned.body = row.Str(12);
  g.edited = row.Int(13) != 0;
  g.state = static_cast<GreetingState>(row.Int(14));
  g.attempts = static_cast<int>(row.Int(15));
  g.last_error = row.Str(16);
  if (!row.IsNull(17)) {
    if (auto t = db::ParseDateTime(row.Str(17)); t.ok()) g.sent_time = *t;
  }
  g.version = row.Int(18);
  return g;
}

absl::Status NotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "GREETING_NOT_FOUND",
               absl::StrCat("greetings/", id, " was not found"));
}

}  // namespace

absl::StatusOr<bool> GreetingStore::Plan(const PlannedGreeting& g) {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      uint64_t written,
      session->Execute(
          sql::kInsertGreeting,
          {g.customer_id, g.contact_id, int64_t{static_cast<int>(g.occasion)}, g.occasion_label,
           int64_t{g.send_date.year()}, Day(g.send_date), int64_t{g.years}, g.owner,
           g.recipient_name, g.recipient_email, g.language, g.subject, g.body, now, now}));
  return written == 1;
}

absl::StatusOr<Greeting> GreetingStore::Get(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectGreeting, {id}));
  if (rows.empty()) return NotFound(id);
  return FromRow(rows.at(0));
}

absl::StatusOr<std::vector<Greeting>> GreetingStore::Upcoming(const std::string& owner,
                                                              absl::CivilDay from, int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectUpcomingGreetings,
                                                     {owner, owner, Day(from), int64_t{limit}}));
  std::vector<Greeting> out;
  for (const db::Row& row : rows) out.push_back(FromRow(row));
  return out;
}

absl::StatusOr<std::vector<int64_t>> GreetingStore::Due(absl::CivilDay from, absl::CivilDay today,
                                                        int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(sql::kSelectDueGreetings,
                     {Day(from), Day(today), db::FormatDateTime(clock_.Now()), int64_t{limit}}));
  std::vector<int64_t> ids;
  for (const db::Row& row : rows) ids.push_back(row.Int(0));
  return ids;
}

absl::StatusOr<bool> GreetingStore::Claim(int64_t id, absl::Duration lease, GreetingClaim* claim) {
  absl::BitGen random;
  const std::string token = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                                            absl::Uniform<uint64_t>(random));
  const absl::Time now = clock_.Now();
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t won,
                       session->Execute(sql::kClaimGreeting,
                                        {token, db::FormatDateTime(now + lease),
                                         db::FormatDateTime(now), id, db::FormatDateTime(now)}));
  if (won != 1) return false;
  *claim = {.id = id, .token = token};
  return true;
}

absl::Status GreetingStore::BeginCommit(const GreetingClaim& claim) {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t marked,
                       session->Execute(sql::kBeginCommit, {now, claim.id, claim.token, now}));
  if (marked != 1) {
    return Error(absl::StatusCode::kAborted, "GREETING_CLAIM_LOST",
                 absl::StrCat("greetings/", claim.id, ": the claim lapsed or was taken over"));
  }
  return absl::OkStatus();
}

absl::Status GreetingStore::Finish(const GreetingClaim& claim, const absl::Status& error,
                                   int max_attempts) {
  const std::string now = db::FormatDateTime(clock_.Now());
  if (error.ok()) {
    // The ledger's SENT and the GreetingSent event commit together, or neither does.
    return pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_ASSIGN_OR_RETURN(uint64_t finished,
                           tx.Execute(sql::kFinishSent, {now, now, claim.id, claim.token}));
      if (finished != 1) return absl::OkStatus();  // not this holder's any more
      CRM_ASSIGN_OR_RETURN(v1::Greeting sent, ReadGreetingMessage(tx, claim.id));
      return events::Append(tx,
                            {.type = kGreetingSentEvent,
                             .resource = sent.name(),
                             .actor = kGreetingSender,
                             .changed_paths = {"state", "sent_time"}},
                            sent);
    });
  }
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(Greeting g, Get(claim.id));
  GreetingState next = GreetingState::kFailed;
  if (ErrorReason(error) == mail::kOutcomeUnknownReason) {
    // The server may have accepted it: sending again could greet the person twice.
    next = GreetingState::kUncertain;
  } else if (IsTransient(error) && g.attempts < max_attempts) {
    next = GreetingState::kPending;
  }
  const std::string message = std::string(error.message()).substr(0, kLastErrorChars);
  return session
      ->Execute(sql::kFinishFailed,
                {int64_t{static_cast<int>(next)}, message, now, claim.id, claim.token})
      .status();
}

absl::StatusOr<int64_t> GreetingStore::MarkLapsedCommitsUncertain() {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(uint64_t changed,
                       session->Execute(sql::kMarkLapsedCommitsUncertain, {now, now}));
  return static_cast<int64_t>(changed);
}

}  // namespace crm::activities
