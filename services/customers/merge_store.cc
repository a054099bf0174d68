#include "services/customers/merge_store.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_rows.h"
#include "services/customers/dates.h"
#include "services/customers/event_types.h"
#include "services/customers/snapshot.h"
#include "services/customers/store_sql.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kInsertMerge[] =
    "INSERT INTO customer_merges (survivor_id, merged_ids, moved_contacts, state, actor, "
    "merge_time, before_rows, after_versions) VALUES (?, ?, ?, ?, ?, ?, ?, '') RETURNING id";
constexpr char kSetAfterVersions[] = "UPDATE customer_merges SET after_versions = ? WHERE id = ?";
constexpr char kSelectMerge[] =
    "SELECT id, survivor_id, merged_ids, moved_contacts, state, actor, merge_time, before_rows, "
    "after_versions, unmerge_actor, unmerge_time FROM customer_merges WHERE id = ? AND "
    "survivor_id = ? FOR UPDATE";
constexpr char kMarkUnmerged[] =
    "UPDATE customer_merges SET state = ?, unmerge_actor = ?, unmerge_time = ? WHERE id = ?";
// A merged customer leaves the live set; merged_into says where it went.
constexpr char kMergeAway[] =
    "UPDATE customers c SET delete_time = ?, update_time = ?, merged_into = ?, "
    "version = version + 1 WHERE c.id = ?";
constexpr char kContactsOf[] =
    "SELECT id, is_primary, delete_time IS NULL FROM contacts WHERE customer_id = ? ORDER BY id "
    "FOR UPDATE";
constexpr char kMoveContact[] =
    "UPDATE contacts SET customer_id = ?, is_primary = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";
constexpr char kMoveContactDates[] =
    "UPDATE relationship_dates SET customer_id = ? WHERE customer_id = ? AND contact_id <> 0";
constexpr char kDeleteOwnDates[] =
    "DELETE FROM relationship_dates WHERE customer_id = ? AND contact_id = 0";
constexpr char kSurvivorVersion[] = "SELECT version FROM customers WHERE id = ?";
constexpr char kContactVersions[] =
    "SELECT id, version FROM contacts WHERE customer_id = ? ORDER BY id";

constexpr int kMaxDatesMerged = 20;

absl::Status TooLarge(const std::string& field, int limit) {
  absl::Status status = Error(
      absl::StatusCode::kFailedPrecondition, "MERGE_TOO_LARGE",
      absl::StrCat("the survivor would have more than ", limit, " ", field,
                   "; remove some from the customers first"));
  return WithErrorMetadata(std::move(status), "field", field);
}

// Appends the items of `more` that `list` lacks (compared by `key`).
template <typename Key>
void Union(google::protobuf::RepeatedPtrField<std::string>* list,
           const google::protobuf::RepeatedPtrField<std::string>& more, Key key) {
  for (const std::string& item : more) {
    const bool present = std::any_of(list->begin(), list->end(),
                                     [&](const std::string& have) { return key(have) == key(item); });
    if (!present) list->Add(std::string(item));
  }
}

// "customer 3 7\ncontact 12 2\n…": the versions an unmerge requires to be unchanged.
absl::StatusOr<std::string> AfterVersions(db::Session& tx, int64_t survivor) {
  CRM_ASSIGN_OR_RETURN(db::Rows customer, tx.Query(kSurvivorVersion, {survivor}));
  if (customer.empty()) return absl::InternalError("the survivor is gone");
  std::string text = absl::StrCat("customer ", survivor, " ", customer[0].Int(0));
  CRM_ASSIGN_OR_RETURN(db::Rows contacts, tx.Query(kContactVersions, {survivor}));
  for (const db::Row& row : contacts) {
    absl::StrAppend(&text, "\ncontact ", row.Int(0), " ", row.Int(1));
  }
  return text;
}

// The records whose versions differ between two AfterVersions texts, by name.
std::vector<std::string> ChangedRecords(int64_t survivor, const std::string& then,
                                        const std::string& now) {
  std::set<absl::string_view> a = absl::StrSplit(then, '\n');
  std::set<absl::string_view> b = absl::StrSplit(now, '\n');
  std::set<std::string> names;
  auto name_of = [&](absl::string_view line) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    if (parts.size() != 3) return CustomerName(survivor);
    if (parts[0] == "contact") return absl::StrCat(CustomerName(survivor), "/contacts/", parts[1]);
    return CustomerName(survivor);
  };
  for (absl::string_view line : a) {
    if (!b.contains(line)) names.insert(name_of(line));
  }
  for (absl::string_view line : b) {
    if (!a.contains(line)) names.insert(name_of(line));
  }
  return {names.begin(), names.end()};
}

v1::CustomerMerge MergeFromRow(const db::Row& row) {
  v1::CustomerMerge merge;
  const int64_t survivor = row.Int(1);
  merge.set_name(absl::StrCat(CustomerName(survivor), "/merges/", row.Int(0)));
  merge.set_survivor(CustomerName(survivor));
  for (absl::string_view id : absl::StrSplit(row.Str(2), ',', absl::SkipEmpty())) {
    merge.add_merged(absl::StrCat("customers/", id));
  }
  for (absl::string_view id : absl::StrSplit(row.Str(3), ',', absl::SkipEmpty())) {
    merge.add_moved_contacts(absl::StrCat(CustomerName(survivor), "/contacts/", id));
  }
  merge.set_state(static_cast<v1::CustomerMerge::State>(row.Int(4)));
  merge.set_actor(row.Str(5));
  *merge.mutable_merge_time() = TimestampFromDateTime(row.Str(6));
  merge.set_unmerge_actor(row.Str(9));
  if (!row.IsNull(10)) *merge.mutable_unmerge_time() = TimestampFromDateTime(row.Str(10));
  return merge;
}

}  // namespace

absl::StatusOr<v1::Customer> CombineForMerge(const v1::Customer& survivor,
                                             std::span<const v1::Customer> merged) {
  v1::Customer out = survivor;
  for (const v1::Customer& m : merged) {
    auto fill = [](std::string* mine, const std::string& theirs) {
      if (mine->empty()) *mine = theirs;
    };
    fill(out.mutable_industry(), m.industry());
    if (out.size_band() == v1::SIZE_BAND_UNSPECIFIED) out.set_size_band(m.size_band());
    const v1::Region& r = out.region();
    if (r.country().empty() && r.province().empty() && r.city().empty()) {
      *out.mutable_region() = m.region();
    }
    fill(out.mutable_address(), m.address());
    fill(out.mutable_source(), m.source());
    fill(out.mutable_notes(), m.notes());
    fill(out.mutable_external_id(), m.external_id());
    Union(out.mutable_tags(), m.tags(), [](const std::string& s) { return s; });
    Union(out.mutable_emails(), m.emails(),
          [](const std::string& s) { return absl::AsciiStrToLower(s); });
    Union(out.mutable_phones(), m.phones(), [](const std::string& s) { return s; });
    const bool has_birthday =
        std::any_of(out.dates().begin(), out.dates().end(),
                    [](const v1::RelationshipDate& d) { return d.kind() == v1::BIRTHDAY; });
    for (const v1::RelationshipDate& date : m.dates()) {
      if (date.kind() == v1::BIRTHDAY && has_birthday) continue;
      const std::string text = FormatDate(date);
      const bool present =
          std::any_of(out.dates().begin(), out.dates().end(),
                      [&](const v1::RelationshipDate& d) { return FormatDate(d) == text; });
      if (!present) *out.add_dates() = date;
    }
  }
  if (out.tags_size() > Limits::kTags) return TooLarge("tags", Limits::kTags);
  if (out.emails_size() > Limits::kEmails) return TooLarge("emails", Limits::kEmails);
  if (out.phones_size() > Limits::kPhones) return TooLarge("phones", Limits::kPhones);
  if (out.dates_size() > kMaxDatesMerged) return TooLarge("dates", kMaxDatesMerged);
  return out;
}

absl::StatusOr<v1::CustomerMerge> MergeStore::Merge(const records::Access& access,
                                                    int64_t survivor,
                                                    std::span<const int64_t> merged,
                                                    std::optional<int64_t> survivor_version,
                                                    const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::CustomerMerge>(
      pool_, key, [&](db::Transaction& tx, v1::CustomerMerge& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row survivor_row, CustomerRecords().Lock(tx, access, survivor));
        const v1::Customer before = CustomerFromRow(survivor_row);
        CRM_RETURN_IF_ERROR(
            api::CheckVersion(before.name(), survivor_row.Int(1), survivor_version));
        std::vector<v1::Customer> others;
        for (int64_t id : merged) {
          CRM_ASSIGN_OR_RETURN(db::Row row, CustomerRecords().Lock(tx, access, id));
          others.push_back(CustomerFromRow(row));
        }
        std::vector<int64_t> everyone = {survivor};
        everyone.insert(everyone.end(), merged.begin(), merged.end());
        CRM_ASSIGN_OR_RETURN(const RowSnapshot snapshot, RowSnapshot::Take(tx, everyone));
        CRM_ASSIGN_OR_RETURN(v1::Customer after, CombineForMerge(before, others));

        const ChangeContext base{.actor = access.actor(), .time = clock_.Now()};
        const std::string now = db::FormatDateTime(base.time);
        // The contacts that move, and whether the survivor keeps its primary one.
        bool has_primary = false;
        CRM_ASSIGN_OR_RETURN(db::Rows own, tx.Query(kContactsOf, {survivor}));
        for (const db::Row& row : own) has_primary = has_primary || (row.Int(1) && row.Int(2));
        struct Move {
          int64_t id;
          int64_t from;
          bool primary;
        };
        std::vector<Move> moves;
        for (int64_t id : merged) {
          CRM_ASSIGN_OR_RETURN(db::Rows contacts, tx.Query(kContactsOf, {id}));
          bool took_primary = false;
          for (const db::Row& row : contacts) {
            const bool live_primary = row.Int(1) && row.Int(2);
            // The first merged customer's primary becomes the survivor's if it had none.
            const bool keep = live_primary && !has_primary;
            took_primary = took_primary || keep;
            moves.push_back({row.Int(0), id, keep});
          }
          has_primary = has_primary || took_primary;
        }
        std::vector<std::string> merged_ids, moved_ids;
        for (int64_t id : merged) merged_ids.push_back(absl::StrCat(id));
        for (const Move& m : moves) moved_ids.push_back(absl::StrCat(m.id));
        CRM_ASSIGN_OR_RETURN(
            db::Rows inserted,
            tx.Query(kInsertMerge, {survivor, absl::StrJoin(merged_ids, ","),
                                    absl::StrJoin(moved_ids, ","), int64_t{v1::CustomerMerge::MERGED},
                                    access.actor(), now, snapshot.Encode()}));
        const int64_t merge_id = inserted[0].Int(0);
        ChangeContext context = base;
        context.source = v1::MERGE;
        context.operation = absl::StrCat(CustomerName(survivor), "/merges/", merge_id);

        // The merged customers first: the survivor may take over an external id of theirs.
        std::vector<HistoryRow> history;
        for (int64_t id : merged) {
          CRM_RETURN_IF_ERROR(
              CustomerRecords().Write(tx, access, kMergeAway, {now, now, survivor, id}));
          CRM_RETURN_IF_ERROR(tx.Execute(kDeleteOwnDates, {id}).status());
          CRM_RETURN_IF_ERROR(tx.Execute(kMoveContactDates, {survivor, id}).status());
          CRM_RETURN_IF_ERROR(search::Remove(tx, CustomerIndex(), id));
          history.push_back({.customer_id = id,
                             .action = v1::MERGED,
                             .new_value = CustomerName(survivor)});
        }
        for (const Move& m : moves) {
          CRM_RETURN_IF_ERROR(
              tx.Execute(kMoveContact, {survivor, int64_t{m.primary}, now, m.id}).status());
          history.push_back({.customer_id = survivor,
                             .contact_id = m.id,
                             .field = "parent",
                             .old_value = CustomerName(m.from),
                             .new_value = CustomerName(survivor)});
        }
        CRM_RETURN_IF_ERROR(WriteCustomer(tx, access, survivor, after, now));
        const int64_t ids[] = {survivor};
        CRM_RETURN_IF_ERROR(IndexCustomers(tx, ids));
        for (HistoryRow& row : CustomerChanges(survivor, before, after)) {
          history.push_back(std::move(row));
        }
        CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
        CRM_ASSIGN_OR_RETURN(std::string versions, AfterVersions(tx, survivor));
        CRM_RETURN_IF_ERROR(tx.Execute(kSetAfterVersions, {versions, merge_id}).status());

        CRM_ASSIGN_OR_RETURN(db::Rows stored, tx.Query(kSelectMerge, {merge_id, survivor}));
        result = MergeFromRow(stored[0]);
        return events::Append(tx,
                              {.type = kCustomerMergedEvent,
                               .resource = result.survivor(),
                               .actor = access.actor()},
                              result);
      });
}

absl::StatusOr<v1::CustomerMerge> MergeStore::Unmerge(const records::Access& access,
                                                      int64_t survivor, int64_t merge_id,
                                                      const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::CustomerMerge>(
      pool_, key, [&](db::Transaction& tx, v1::CustomerMerge& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row survivor_row, CustomerRecords().Lock(tx, access, survivor));
        const v1::Customer current = CustomerFromRow(survivor_row);
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectMerge, {merge_id, survivor}));
        if (rows.empty()) {
          return Error(absl::StatusCode::kNotFound, "MERGE_NOT_FOUND",
                       absl::StrCat(current.name(), "/merges/", merge_id, " does not exist"));
        }
        v1::CustomerMerge merge = MergeFromRow(rows[0]);
        if (merge.state() == v1::CustomerMerge::UNMERGED) {
          return Error(absl::StatusCode::kFailedPrecondition, "ALREADY_UNMERGED",
                       absl::StrCat(merge.name(), " was undone already"));
        }
        CRM_ASSIGN_OR_RETURN(std::string versions, AfterVersions(tx, survivor));
        if (versions != rows[0].Str(8)) {
          const std::vector<std::string> changed =
              ChangedRecords(survivor, rows[0].Str(8), versions);
          absl::Status status = Error(
              absl::StatusCode::kFailedPrecondition, "CHANGED_SINCE_MERGE",
              absl::StrCat(absl::StrJoin(changed, ", "),
                           " changed after the merge; undoing it would lose those changes"));
          return WithErrorMetadata(std::move(status), "changed", absl::StrJoin(changed, ","));
        }
        CRM_ASSIGN_OR_RETURN(const RowSnapshot snapshot, RowSnapshot::Decode(rows[0].Str(7)));
        std::vector<int64_t> everyone = {survivor};
        for (const std::string& name : merge.merged()) {
          CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kCustomers));
          everyone.push_back(id);
        }
        CRM_RETURN_IF_ERROR(snapshot.Restore(tx, everyone));
        CRM_RETURN_IF_ERROR(IndexCustomers(tx, everyone));

        const ChangeContext context{.actor = access.actor(),
                                    .source = v1::UNMERGE,
                                    .operation = merge.name(),
                                    .time = clock_.Now()};
        const std::string now = db::FormatDateTime(context.time);
        CRM_ASSIGN_OR_RETURN(db::Rows restored, tx.Query(sql::kSelectById, {survivor}));
        std::vector<HistoryRow> history;
        if (!restored.empty()) {
          history = CustomerChanges(survivor, current, CustomerFromRow(restored[0]));
        }
        for (size_t i = 1; i < everyone.size(); ++i) {
          history.push_back({.customer_id = everyone[i],
                             .action = v1::UNMERGED,
                             .old_value = CustomerName(survivor)});
        }
        // The contacts going back to where they were (the snapshot's contacts: id, customer).
        for (const db::Row& contact : snapshot.rows(4)) {
          if (contact.Int(1) == survivor) continue;
          history.push_back({.customer_id = contact.Int(1),
                             .contact_id = contact.Int(0),
                             .field = "parent",
                             .old_value = CustomerName(survivor),
                             .new_value = CustomerName(contact.Int(1))});
        }
        CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
        CRM_RETURN_IF_ERROR(
            tx.Execute(kMarkUnmerged,
                       {int64_t{v1::CustomerMerge::UNMERGED}, access.actor(), now, merge_id})
                .status());
        CRM_ASSIGN_OR_RETURN(db::Rows stored, tx.Query(kSelectMerge, {merge_id, survivor}));
        result = MergeFromRow(stored[0]);
        return events::Append(tx,
                              {.type = kCustomerUnmergedEvent,
                               .resource = result.survivor(),
                               .actor = access.actor()},
                              result);
      });
}

}  // namespace crm::customers
