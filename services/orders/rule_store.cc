#include "services/orders/rule_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/orders/event_types.h"
#include "services/orders/order_data.h"
#include "services/orders/order_sql.h"
#include "services/orders/pricing.h"

namespace crm::orders {
namespace {

constexpr char kCollection[] = "approvalRules";

v1::ApprovalRule RuleFromRow(const db::Row& row) {
  v1::ApprovalRule rule;
  rule.set_name(api::ResourceName(kCollection, row.Int(0)));
  rule.set_display_name(row.Str(1));
  rule.set_approver_role(static_cast<auth::v1::Role>(row.Int(2)));
  if (!row.IsNull(3)) rule.set_discount_percent_above(FormatDiscountBps(static_cast<int>(row.Int(3))));
  if (!row.IsNull(4)) *rule.mutable_total_at_least() = api::FromMinorUnits(row.Str(5), row.Int(4));
  rule.set_customer(row.Str(6));
  rule.set_product(row.Str(7));
  rule.set_creator(row.Str(8));
  *rule.mutable_create_time() = TimestampFromDateTime(row.Str(9));
  return rule;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "create_time",
        .type = api::FieldType::kTimestamp,
        .column = "r.create_time",
        .orderable = true}},
      "r.id");
  return *fields;
}

}  // namespace

const api::ListSpec& RuleStore::ListSpec() {
  static const api::ListSpec spec{
      .fields = &Fields(), .default_order = "create_time", .default_page_size = 100};
  return spec;
}

absl::StatusOr<v1::ApprovalRule> RuleStore::Create(const v1::ApprovalRule& rule,
                                                   std::string_view actor,
                                                   const db::IdempotencyKey& key) {
  db::Value discount = std::monostate(), total = std::monostate();
  if (!rule.discount_percent_above().empty()) {
    discount = int64_t{ParseDiscountBps(rule.discount_percent_above()).value_or(0)};
  }
  std::string currency;
  if (rule.has_total_at_least()) {
    Violations ignored;
    api::FieldChecker check(ignored, "");
    total = api::ToMinorUnits(rule.total_at_least(), check, "total_at_least").value_or(0);
    currency = rule.total_at_least().currency_code();
  }
  return db::IdempotentWrite<v1::ApprovalRule>(
      pool_, key, [&](db::Transaction& tx, v1::ApprovalRule& created) -> absl::Status {
        const std::string now = db::FormatDateTime(DbTime(clock_.Now()));
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsertRule,
                     {rule.display_name(), int64_t{rule.approver_role()}, discount, total,
                      currency, rule.customer(), rule.product(), std::string(actor), now}));
        created = rule;
        created.set_name(api::ResourceName(kCollection, rows[0].Int(0)));
        created.set_creator(std::string(actor));
        *created.mutable_create_time() = TimestampFromDateTime(now);
        return events::Append(
            tx, {.type = kApprovalRuleCreated, .resource = created.name(), .actor = actor},
            created);
      });
}

absl::StatusOr<api::Page<v1::ApprovalRule>> RuleStore::List(const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::ApprovalRule>(*session, sql::kSelectRuleColumns,
                                             sql::kRuleColumnCount, sql::kFromRules, {}, query,
                                             RuleFromRow);
}

absl::Status RuleStore::Delete(int64_t id, std::string_view actor,
                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectRuleById, {id}));
               if (rows.empty()) {
                 return Error(absl::StatusCode::kNotFound, "APPROVAL_RULE_NOT_FOUND",
                              absl::StrCat(api::ResourceName(kCollection, id), " does not exist"));
               }
               const v1::ApprovalRule rule = RuleFromRow(rows[0]);
               CRM_RETURN_IF_ERROR(
                   tx.Execute(sql::kDeleteRule, {db::FormatDateTime(clock_.Now()), id}).status());
               return events::Append(
                   tx, {.type = kApprovalRuleDeleted, .resource = rule.name(), .actor = actor},
                   rule);
             })
      .status();
}

}  // namespace crm::orders
