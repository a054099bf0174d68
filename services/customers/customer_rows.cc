#include "services/customers/customer_rows.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/json.h"
#include "libs/db/lists.h"
#include "libs/grpc/status.h"
#include "services/customers/dates.h"
#include "services/customers/store_sql.h"

namespace crm::customers {
namespace {

// Search weights: a hit in the name outranks any other; contacts' names next; then the
// numbers and addresses people search by.
constexpr int kNameWeight = 10;
constexpr int kContactNameWeight = 6;
constexpr int kPhoneEmailWeight = 5;
constexpr int kTagWeight = 4;
constexpr int kExternalIdWeight = 4;
constexpr int kNotesWeight = 1;
// Contacts of one customer that its search document holds, at most (oldest first).
constexpr int kIndexedContacts = 200;

// Deletes join the id list rather than test "IN (SELECT ... JSON_TABLE)": MariaDB 10.11 runs
// a single-table DELETE or UPDATE with an IN subquery as a scan of the whole table with the
// subquery per row (EXPLAIN: DEPENDENT SUBQUERY), which made a 10,000-row import rollback
// scan every child table ten times. STRAIGHT_JOIN keeps the id list first, each id then
// looked up by its key, whatever the table's statistics say (after a table was emptied they
// say "small", and a scan of it per id is what the optimizer would pick).
#define CRM_FROM_IDS(table, column)                                                        \
  " FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j STRAIGHT_JOIN " table " ON " \
  column " = j.id"
constexpr char kDeleteTagsOf[] = "DELETE t" CRM_FROM_IDS("customer_tags t", "t.customer_id");
constexpr char kDeleteEmailsOf[] =
    "DELETE t" CRM_FROM_IDS("customer_emails t", "t.customer_id");
constexpr char kDeletePhonesOf[] =
    "DELETE t" CRM_FROM_IDS("customer_phones t", "t.customer_id");
constexpr char kDeleteCustomerDates[] =
    "DELETE d" CRM_FROM_IDS("relationship_dates d", "d.customer_id") " WHERE d.contact_id = 0";
#undef CRM_FROM_IDS
constexpr char kDeleteContactDates[] =
    "DELETE FROM relationship_dates WHERE customer_id = ? AND contact_id = ?";
constexpr char kInsertDates[] =
    "INSERT INTO relationship_dates (customer_id, contact_id, position, kind, label, calendar, "
    "year, month, day, leap_month, yearly) SELECT j.customer_id, j.contact_id, j.position, "
    "j.kind, j.label, j.calendar, j.year, j.month, j.day, j.leap_month, j.yearly FROM "
    "JSON_TABLE(?, '$[*]' COLUMNS (customer_id BIGINT PATH '$[0]', contact_id BIGINT PATH "
    "'$[1]', position INT PATH '$[2]', kind INT PATH '$[3]', label VARCHAR(64) CHARACTER SET "
    "utf8mb4 PATH '$[4]', calendar INT PATH '$[5]', year INT PATH '$[6]', month INT PATH '$[7]', "
    "day INT PATH '$[8]', leap_month INT PATH '$[9]', yearly INT PATH '$[10]')) j";
// Rows per JSON parameter, at most.
constexpr size_t kJsonChunk = 1000;

std::string IdList(std::span<const CustomerRef> customers) {
  std::string json = "[";
  for (size_t i = 0; i < customers.size(); ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ",", customers[i].id);
  }
  return json + "]";
}

std::string IdList(std::span<const int64_t> ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

// Runs `sql` with rows.Take() whenever `rows` is full or at the end.
absl::Status FlushRows(db::Session& tx, const char* sql, db::JsonRows& rows, bool force) {
  if (rows.empty() || (!force && rows.rows() < kJsonChunk)) return absl::OkStatus();
  return tx.Execute(sql, {rows.Take()}).status();
}

void AddDateRows(db::JsonRows& rows, int64_t customer_id, int64_t contact_id,
                 const google::protobuf::RepeatedPtrField<v1::RelationshipDate>& dates) {
  for (int i = 0; i < dates.size(); ++i) {
    const v1::RelationshipDate& d = dates[i];
    rows.Row()
        .Add(customer_id)
        .Add(contact_id)
        .Add(i)
        .Add(int64_t{d.kind()})
        .Add(d.label())
        .Add(int64_t{d.calendar()})
        .Add(int64_t{d.year()})
        .Add(int64_t{d.month()})
        .Add(int64_t{d.day()})
        .Add(int64_t{d.leap_month()})
        .Add(int64_t{d.yearly()});
  }
}

}  // namespace

std::string CustomerName(int64_t id) { return api::ResourceName(kCustomers, id); }

v1::Customer CustomerFromRow(const db::Row& row) {
  v1::Customer c;
  c.set_name(CustomerName(row.Int(0)));
  c.set_etag(api::EtagFromVersion(row.Int(1)));
  c.set_display_name(row.Str(2));
  c.set_kind(static_cast<v1::CustomerKind>(row.Int(3)));
  c.set_industry(row.Str(4));
  c.set_size_band(static_cast<v1::SizeBand>(row.Int(5)));
  c.mutable_region()->set_country(row.Str(6));
  c.mutable_region()->set_province(row.Str(7));
  c.mutable_region()->set_city(row.Str(8));
  c.set_address(row.Str(9));
  db::SplitLines(row.Str(10), c.mutable_tags());
  db::SplitLines(row.Str(11), c.mutable_emails());
  db::SplitLines(row.Str(12), c.mutable_phones());
  c.set_source(row.Str(13));
  c.set_owner(row.Str(sql::kOwnerIndex));
  c.set_creator(row.Str(15));
  c.set_notes(row.Str(16));
  *c.mutable_create_time() = TimestampFromDateTime(row.Str(17));
  *c.mutable_update_time() = TimestampFromDateTime(row.Str(18));
  c.set_external_id(row.Str(19));
  c.set_company_match_key(row.Str(20));
  // Written by this service from validated dates; a line that does not parse is left out
  // rather than failing every read of the customer.
  (void)ParseDates(row.Str(21), c.mutable_dates());
  return c;
}

const records::OwnedRecords& CustomerRecords() {
  static const auto* records = new records::OwnedRecords({.collection = kCustomers,
                                                          .not_found_reason = "CUSTOMER_NOT_FOUND",
                                                          .owner_column = "c.owner",
                                                          .select_by_id = sql::kSelectById,
                                                          .owner_index = sql::kOwnerIndex,
                                                          .select_columns = sql::kSelectColumns,
                                                          .column_count = sql::kColumnCount,
                                                          .from_live = sql::kFromLive});
  return *records;
}

const search::IndexTable& CustomerIndex() {
  static const auto* table = new search::IndexTable("customer_search");
  return *table;
}

absl::StatusOr<int64_t> InsertCustomer(db::Session& tx, const v1::Customer& c,
                                       std::string_view creator, const std::string& now) {
  const v1::Region& r = c.region();
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(sql::kInsert,
               {c.display_name(), int64_t{c.kind()}, c.industry(), int64_t{c.size_band()},
                r.country(), r.province(), r.city(), c.address(), db::JoinLines(c.tags()),
                db::JoinLines(c.emails()), db::JoinLines(c.phones()), c.source(), c.owner(),
                std::string(creator), c.notes(), now, now, c.external_id(),
                c.company_match_key(), FormatDates(c.dates()), int64_t{sql::kDerivedVersion}}));
  if (rows.empty()) return absl::InternalError("insert returned no id");
  return rows[0].Int(0);
}

std::vector<db::Value> UpdateParams(const v1::Customer& c, const std::string& now, int64_t id) {
  const v1::Region& r = c.region();
  return {c.display_name(),      int64_t{c.kind()},         c.industry(),
          int64_t{c.size_band()}, r.country(),               r.province(),
          r.city(),              c.address(),               db::JoinLines(c.tags()),
          db::JoinLines(c.emails()), db::JoinLines(c.phones()), c.source(),
          c.owner(),             c.notes(),                 now,
          c.external_id(),       c.company_match_key(),     FormatDates(c.dates()),
          int64_t{sql::kDerivedVersion}, id};
}

absl::Status WriteCustomer(db::Transaction& tx, const records::Access& access, int64_t id,
                           const v1::Customer& c, const std::string& now) {
  CRM_RETURN_IF_ERROR(CustomerRecords().Write(tx, access, sql::kUpdate, UpdateParams(c, now, id)));
  const CustomerRef ref{id, &c};
  CRM_RETURN_IF_ERROR(WriteChildren(tx, {&ref, 1}, /*is_new=*/false));
  return WriteCustomerDateRows(tx, {&ref, 1}, /*is_new=*/false);
}

absl::Status WriteChildren(db::Session& tx, std::span<const CustomerRef> customers,
                           bool is_new) {
  if (customers.empty()) return absl::OkStatus();
  if (!is_new) {
    const std::string ids = IdList(customers);
    for (const char* sql : {kDeleteTagsOf, kDeleteEmailsOf, kDeletePhonesOf}) {
      CRM_RETURN_IF_ERROR(tx.Execute(sql, {ids}).status());
    }
  }
  db::JsonRows tags, emails, phones;
  for (const CustomerRef& ref : customers) {
    for (const std::string& tag : ref.customer->tags()) tags.Row().Add(ref.id).Add(tag);
    for (const std::string& email : ref.customer->emails()) emails.Row().Add(ref.id).Add(email);
    for (const std::string& phone : ref.customer->phones()) phones.Row().Add(ref.id).Add(phone);
    CRM_RETURN_IF_ERROR(FlushRows(tx, sql::kInsertTags, tags, false));
    CRM_RETURN_IF_ERROR(FlushRows(tx, sql::kInsertEmails, emails, false));
    CRM_RETURN_IF_ERROR(FlushRows(tx, sql::kInsertPhones, phones, false));
  }
  CRM_RETURN_IF_ERROR(FlushRows(tx, sql::kInsertTags, tags, true));
  CRM_RETURN_IF_ERROR(FlushRows(tx, sql::kInsertEmails, emails, true));
  return FlushRows(tx, sql::kInsertPhones, phones, true);
}

absl::Status WriteCustomerDateRows(db::Session& tx, std::span<const CustomerRef> customers,
                                   bool is_new) {
  if (customers.empty()) return absl::OkStatus();
  if (!is_new) CRM_RETURN_IF_ERROR(tx.Execute(kDeleteCustomerDates, {IdList(customers)}).status());
  db::JsonRows rows;
  for (const CustomerRef& ref : customers) {
    AddDateRows(rows, ref.id, 0, ref.customer->dates());
    CRM_RETURN_IF_ERROR(FlushRows(tx, kInsertDates, rows, false));
  }
  return FlushRows(tx, kInsertDates, rows, true);
}

absl::Status WriteContactDateRows(
    db::Session& tx, int64_t customer_id, int64_t contact_id,
    const google::protobuf::RepeatedPtrField<v1::RelationshipDate>& dates) {
  CRM_RETURN_IF_ERROR(tx.Execute(kDeleteContactDates, {customer_id, contact_id}).status());
  db::JsonRows rows;
  AddDateRows(rows, customer_id, contact_id, dates);
  return FlushRows(tx, kInsertDates, rows, true);
}

search::SourceDocument CustomerDocument(int64_t id, const v1::Customer& c,
                                        const std::string& contact_names,
                                        const std::string& contact_phones,
                                        const std::string& contact_emails) {
  return {.doc_id = id,
          .fields = {{c.display_name(), kNameWeight},
                     {contact_names, kContactNameWeight},
                     {db::JoinLines(c.phones()), kPhoneEmailWeight},
                     {contact_phones, kPhoneEmailWeight},
                     {db::JoinLines(c.emails()), kPhoneEmailWeight},
                     {contact_emails, kPhoneEmailWeight},
                     {db::JoinLines(c.tags()), kTagWeight},
                     {c.external_id(), kExternalIdWeight},
                     {c.notes(), kNotesWeight}}};
}

absl::Status IndexCustomers(db::Session& tx, std::span<const int64_t> ids, bool fresh) {
  for (size_t start = 0; start < ids.size(); start += kJsonChunk) {
    const auto chunk = ids.subspan(start, std::min(kJsonChunk, ids.size() - start));
    const std::string list = IdList(chunk);
    CRM_ASSIGN_OR_RETURN(db::Rows customers, tx.Query(sql::kSelectCustomersIn, {list}));
    CRM_ASSIGN_OR_RETURN(db::Rows contacts, tx.Query(sql::kSelectContactsIn, {list}));
    struct ContactText {
      std::string names, phones, emails;
      int count = 0;
    };
    std::map<int64_t, ContactText> by_customer;
    for (const db::Row& row : contacts) {
      ContactText& text = by_customer[row.Int(0)];
      if (++text.count > kIndexedContacts) continue;
      absl::StrAppend(&text.names, row.Str(1), "\n");
      absl::StrAppend(&text.phones, row.Str(2), "\n");
      absl::StrAppend(&text.emails, row.Str(3), "\n");
    }
    std::vector<search::SourceDocument> documents;
    documents.reserve(customers.size());
    for (const db::Row& row : customers) {
      v1::Customer c;
      c.set_display_name(row.Str(1));
      db::SplitLines(row.Str(3), c.mutable_tags());
      db::SplitLines(row.Str(4), c.mutable_emails());
      db::SplitLines(row.Str(5), c.mutable_phones());
      c.set_notes(row.Str(6));
      c.set_external_id(row.Str(7));
      const ContactText& text = by_customer[row.Int(0)];
      documents.push_back(CustomerDocument(row.Int(0), c, text.names, text.phones, text.emails));
    }
    // Deleted customers among `ids` leave the index.
    if (!fresh) CRM_RETURN_IF_ERROR(search::RemoveDocuments(tx, CustomerIndex(), chunk));
    CRM_RETURN_IF_ERROR(search::IndexDocuments(tx, CustomerIndex(), documents, /*fresh=*/true));
  }
  return absl::OkStatus();
}

absl::Status IndexNewCustomer(db::Session& tx, int64_t id, const v1::Customer& customer) {
  const search::SourceDocument document[] = {CustomerDocument(id, customer, "", "", "")};
  return search::IndexDocuments(tx, CustomerIndex(), document, /*fresh=*/true);
}

absl::Status WriteHistory(db::Session& tx, const ChangeContext& context,
                          std::span<const HistoryRow> rows) {
  const std::string time = db::FormatDateTime(context.time);
  db::JsonRows json;
  auto flush = [&]() -> absl::Status {
    if (json.empty()) return absl::OkStatus();
    return tx
        .Execute(sql::kInsertHistory, {int64_t{context.source}, context.actor, context.operation, time,
                                  json.Take()})
        .status();
  };
  for (const HistoryRow& row : rows) {
    json.Row()
        .Add(row.customer_id)
        .Add(row.contact_id)
        .Add(int64_t{row.action})
        .Add(row.field)
        .Add(row.old_value)
        .Add(row.new_value);
    if (json.rows() >= kJsonChunk) CRM_RETURN_IF_ERROR(flush());
  }
  return flush();
}

}  // namespace crm::customers
