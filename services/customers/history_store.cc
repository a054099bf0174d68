#include "services/customers/history_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/customers/customer_rows.h"

namespace crm::customers {
namespace {

constexpr char kResourceColumn[] =
    "CONCAT('customers/', h.customer_id, IF(h.contact_id = 0, '', CONCAT('/contacts/', "
    "h.contact_id)))";
constexpr char kSelectColumns[] =
    "SELECT h.id, h.customer_id, h.contact_id, h.action, h.field, h.old_value, h.new_value, "
    "h.source, h.actor, h.operation, h.change_time";
constexpr size_t kColumnCount = 11;
constexpr char kFrom[] = " FROM customer_history h WHERE TRUE";
constexpr char kMergedInto[] =
    "SELECT id FROM customers WHERE merged_into IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (id BIGINT PATH '$')) j)";
// Merges of merges are followed this deep, at most.
constexpr int kMergeDepth = 16;

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "resource", .column = kResourceColumn},
          {.name = "field", .column = "h.field"},
          {.name = "action",
           .type = api::FieldType::kEnum,
           .column = "h.action",
           .enum_values = api::EnumValues(*v1::HistoryAction_descriptor())},
          {.name = "source",
           .type = api::FieldType::kEnum,
           .column = "h.source",
           .enum_values = api::EnumValues(*v1::ChangeSource_descriptor())},
          {.name = "actor", .column = "h.actor"},
          {.name = "operation", .column = "h.operation"},
          {.name = "change_time",
           .type = api::FieldType::kTimestamp,
           .column = "h.change_time",
           .orderable = true},
      },
      "h.id");
  return *fields;
}

}  // namespace

const api::ListSpec& HistoryStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "change_time desc"};
  return spec;
}

absl::StatusOr<api::Page<v1::HistoryEntry>> HistoryStore::List(const records::Access& access,
                                                               int64_t id,
                                                               const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(CustomerRecords().Get(*session, access, id).status());
  // The customer's own rows and those of every customer merged into it (and into those).
  std::set<int64_t> ids = {id};
  std::vector<int64_t> frontier = {id};
  for (int depth = 0; depth < kMergeDepth && !frontier.empty(); ++depth) {
    CRM_ASSIGN_OR_RETURN(db::Rows rows,
                         session->Query(kMergedInto,
                                        {absl::StrCat("[", absl::StrJoin(frontier, ","), "]")}));
    frontier.clear();
    for (const db::Row& row : rows) {
      if (ids.insert(row.Int(0)).second) frontier.push_back(row.Int(0));
    }
  }
  const api::SqlFragment owned{
      .sql = "h.customer_id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH "
             "'$')) j)",
      .params = {absl::StrCat("[", absl::StrJoin(ids, ","), "]")}};
  const std::string parent = CustomerName(id);
  return records::ListPage<v1::HistoryEntry>(
      *session, kSelectColumns, kColumnCount, kFrom, owned, query, [&](const db::Row& row) {
        v1::HistoryEntry entry;
        entry.set_name(absl::StrCat(parent, "/history/", row.Int(0)));
        std::string resource = CustomerName(row.Int(1));
        if (row.Int(2) != 0) absl::StrAppend(&resource, "/contacts/", row.Int(2));
        entry.set_resource(std::move(resource));
        entry.set_action(static_cast<v1::HistoryAction>(row.Int(3)));
        entry.set_field(row.Str(4));
        entry.set_old_value(row.Str(5));
        entry.set_new_value(row.Str(6));
        entry.set_source(static_cast<v1::ChangeSource>(row.Int(7)));
        entry.set_actor(row.Str(8));
        entry.set_operation(row.Str(9));
        *entry.mutable_change_time() = TimestampFromDateTime(row.Str(10));
        return entry;
      });
}

}  // namespace crm::customers
