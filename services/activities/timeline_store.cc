#include "services/activities/timeline_store.h"

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/activities/timeline_sql.h"

namespace crm::activities {
namespace {

// How an activity reads in the timeline: its kind, and its outcome when it has one.
std::string ActivityTitle(v1::ActivityKind kind, const std::string& outcome) {
  std::string title = v1::ActivityKind_Name(kind);
  if (!outcome.empty()) absl::StrAppend(&title, ": ", outcome);
  return title;
}

v1::TimelineEntry FromRow(const db::Row& row) {
  v1::TimelineEntry e;
  const bool activity = row.Int(0) == 0;
  if (activity) {
    e.set_kind(v1::TimelineEntry::ACTIVITY);
    e.set_activity_kind(static_cast<v1::ActivityKind>(row.Int(2)));
    e.set_direction(static_cast<v1::Direction>(row.Int(3)));
    e.set_title(ActivityTitle(e.activity_kind(), row.Str(4)));
    e.set_resource(api::ResourceName("activities", row.Int(1)));
  } else {
    e.set_kind(static_cast<v1::TimelineEntry::Kind>(row.Int(2)));
    e.set_title(row.Str(4));
    e.set_resource(row.Str(6));
  }
  e.set_detail(row.Str(5));
  e.set_actor(row.Str(7));
  if (!row.Str(8).empty()) *e.mutable_amount() = api::FromMinorUnits(row.Str(8), row.Int(9));
  *e.mutable_time() = TimestampFromDateTime(row.Str(10));
  return e;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "time", .type = api::FieldType::kTimestamp, .column = "t.at", .orderable = true}},
      "t.sort_key");
  return *fields;
}

}  // namespace

const api::ListSpec& TimelineStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "time desc"};
  return spec;
}

absl::StatusOr<std::optional<std::string>> TimelineStore::KnownOwner(int64_t customer_id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kOwnerOfCustomer, {customer_id}));
  if (rows.empty()) return std::nullopt;
  return rows[0].Str(0);
}

absl::StatusOr<api::Page<v1::TimelineEntry>> TimelineStore::Page(int64_t customer_id,
                                                                 const api::ListQuery& query) {
  std::string text = sql::kSelectTimelineColumns;
  for (const api::OrderTerm& term : query.order) absl::StrAppend(&text, ", ", term.column);
  text.append(sql::kFromTimeline);
  std::vector<db::Value> params = {customer_id, customer_id};
  api::AppendPageClauses(text, params, query.order, query.after_ptr(), query.page_size);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(text, params));
  api::Page<v1::TimelineEntry> page;
  page.has_more =
      api::TakePage(rows, query.page_size, query.order, sql::kTimelineColumnCount, &page.last_key);
  for (const db::Row& row : rows) page.items.push_back(FromRow(row));
  return page;
}

absl::Status TimelineStore::Add(db::Transaction& tx, const NewTimelineEntry& entry) {
  return tx
      .Execute(sql::kInsertTimelineEntry,
               {entry.customer_id, int64_t{entry.kind}, db::FormatDateTime(entry.time), entry.title,
                entry.detail, entry.resource, entry.actor, entry.currency, entry.amount_minor,
                entry.source_event})
      .status();
}

absl::Status TimelineStore::Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id) {
  CRM_RETURN_IF_ERROR(
      tx.Execute(sql::kRememberTimelineRepoints, {survivor_id, merged_id, merged_id}).status());
  return tx.Execute(sql::kRepointTimeline, {survivor_id, merged_id}).status();
}

absl::Status TimelineStore::Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kUnrepointTimeline, {survivor_id, merged_id}).status());
  return tx.Execute(sql::kForgetTimelineRepoints, {survivor_id, merged_id}).status();
}

}  // namespace crm::activities
