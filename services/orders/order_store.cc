#include "services/orders/order_store.h"

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/orders/event_types.h"
#include "services/orders/order_sql.h"
#include "services/orders/return_data.h"

namespace crm::orders {
namespace {

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "status",
           .type = api::FieldType::kEnum,
           .column = "o.status",
           .enum_values = api::EnumValues(*v1::OrderStatus_descriptor())},
          {.name = "customer", .column = "o.customer"},
          {.name = "owner", .column = "o.owner"},
          {.name = "creator", .column = "o.creator"},
          {.name = "opportunity", .column = "o.opportunity"},
          {.name = "currency_code", .column = "o.currency_code"},
          {.name = "order_time",
           .type = api::FieldType::kTimestamp,
           .column = "o.order_time",
           .orderable = true},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "o.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "o.update_time",
           .orderable = true},
          {.name = "total_minor",
           .type = api::FieldType::kInt64,
           .column = "o.total_minor",
           .orderable = true},
      },
      "o.id");
  return *fields;
}

const api::ResourceFields& PendingFields() {
  static const auto* fields = new api::ResourceFields(
      {{.name = "submit_time",
        .type = api::FieldType::kTimestamp,
        .column = "a.submit_time",
        .orderable = true}},
      "o.id");
  return *fields;
}

absl::Status NotPending(const OrderRecord& order) {
  return Error(absl::StatusCode::kFailedPrecondition, "NO_PENDING_APPROVAL",
               absl::StrCat(order.name(), " has no approval waiting (it is ",
                            StatusName(order.status), ")"));
}

absl::Status ChangedMeanwhile(const OrderRecord& order) {
  return Error(absl::StatusCode::kAborted, "CONCURRENT_UPDATE",
               absl::StrCat(order.name(), " changed while this call was being prepared; try again"));
}

// Protos for a page of order rows, with details (and the FULL view's extras).
absl::StatusOr<api::Page<v1::Order>> ToPage(db::Session& session, api::Page<OrderRecord> records,
                                            v1::OrderView view) {
  CRM_RETURN_IF_ERROR(LoadDetails(session, records.items));
  api::Page<v1::Order> page;
  page.has_more = records.has_more;
  page.last_key = std::move(records.last_key);
  for (const OrderRecord& record : records.items) {
    v1::Order order = ToProto(record);
    if (view == v1::FULL) CRM_RETURN_IF_ERROR(AddFullView(session, record, &order));
    page.items.push_back(std::move(order));
  }
  return page;
}

}  // namespace

OrderFacts FactsOf(const OrderRecord& order) {
  OrderFacts facts{.customer = order.customer,
                   .currency_code = order.currency,
                   .total_minor = order.total};
  for (const LineRecord& line : order.lines) {
    facts.lines.push_back(
        {.line_number = line.line_number, .product = line.product, .discount_bps = line.discount_bps});
  }
  return facts;
}

absl::StatusOr<std::vector<ApprovalRuleSpec>> LoadRules(db::Session& session) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(absl::StrCat(sql::kSelectRules, " ORDER BY id"), {}));
  std::vector<ApprovalRuleSpec> rules;
  for (const db::Row& row : rows) {
    ApprovalRuleSpec rule{.id = row.Int(0),
                          .display_name = row.Str(1),
                          .approver_role = static_cast<auth::v1::Role>(row.Int(2))};
    if (!row.IsNull(3)) rule.discount_above_bps = static_cast<int>(row.Int(3));
    if (!row.IsNull(4)) rule.total_at_least_minor = row.Int(4);
    rule.total_currency = row.Str(5);
    rule.customer = row.Str(6);
    rule.product = row.Str(7);
    rules.push_back(std::move(rule));
  }
  return rules;
}

OrderStore::OrderStore(db::Pool& pool, const Clock& clock, std::string event_id_prefix)
    : pool_(pool),
      clock_(clock),
      event_id_prefix_(std::move(event_id_prefix)),
      orders_(OrdersTable()) {}

const api::ListSpec& OrderStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

const api::ListSpec& OrderStore::PendingSpec() {
  static const api::ListSpec spec{
      .fields = &PendingFields(), .default_order = "submit_time", .max_page_size = 200};
  return spec;
}

EffectContext OrderStore::Effects(std::string_view actor) const {
  return {.event_id_prefix = event_id_prefix_, .now = clock_.Now(), .actor = std::string(actor)};
}

absl::StatusOr<v1::Order> OrderStore::Create(const records::Access& access,
                                             const OrderRecord& input,
                                             const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Order>(
      pool_, key, [&](db::Transaction& tx, v1::Order& created) -> absl::Status {
        OrderRecord order = input;
        const absl::Time now = DbTime(clock_.Now());
        order.creator = access.actor();
        order.status = v1::DRAFT;
        order.create_time = order.update_time = order.status_time = now;
        order.order_time = DbTime(order.order_time);
        order.RecomputeTotals();
        CRM_RETURN_IF_ERROR(InsertOrder(tx, order));
        CRM_RETURN_IF_ERROR(AppendOrderEvent(tx, order, kOrderCreated, access.actor()));
        created = ToProto(order);
        return absl::OkStatus();
      });
}

absl::StatusOr<OrderRecord> OrderStore::Read(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, orders_.Get(*session, access, id));
  return WithDetails(*session, row);
}

absl::StatusOr<v1::Order> OrderStore::Get(const records::Access& access, int64_t id,
                                          v1::OrderView view) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, orders_.Get(*session, access, id));
  CRM_ASSIGN_OR_RETURN(OrderRecord record, WithDetails(*session, row));
  v1::Order order = ToProto(record);
  if (view == v1::FULL) CRM_RETURN_IF_ERROR(AddFullView(*session, record, &order));
  return order;
}

absl::StatusOr<api::Page<v1::Order>> OrderStore::List(const records::Access& access,
                                                      const api::ListQuery& query,
                                                      v1::OrderView view) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(api::Page<OrderRecord> records,
                       orders_.List<OrderRecord>(*session, access, query, OrderFromRow));
  return ToPage(*session, std::move(records), view);
}

absl::StatusOr<api::Page<v1::Order>> OrderStore::ListPendingApprovals(
    const records::Access& access, const api::ListQuery& query, bool all) {
  api::SqlFragment mine;
  const auth::Principal& principal = access.principal();
  if (principal.Is(auth::v1::ADMIN)) {
    mine = all ? api::SqlFragment{"TRUE", {}}
               : api::SqlFragment{"a.approver_role = ? OR a.approver = ?",
                                  {int64_t{auth::v1::ADMIN}, access.actor()}};
  } else {
    mine = {"a.approver = ?", {access.actor()}};
  }
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      api::Page<OrderRecord> records,
      records::ListPage<OrderRecord>(*session, sql::kSelectOrderColumns, sql::kOrderColumnCount,
                                     sql::kFromPendingApprovals, mine, query, OrderFromRow));
  return ToPage(*session, std::move(records), v1::BASIC);
}

absl::StatusOr<v1::Order> OrderStore::UpdateDraft(const records::Access& access,
                                                  const OrderRecord& updated,
                                                  std::optional<int64_t> expected_version,
                                                  std::vector<std::string> changed_paths,
                                                  const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Order>(
      pool_, key, [&](db::Transaction& tx, v1::Order& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, orders_.Lock(tx, access, updated.id));
        CRM_ASSIGN_OR_RETURN(OrderRecord order, WithDetails(tx, row));
        CRM_RETURN_IF_ERROR(api::CheckVersion(order.name(), order.version, expected_version));
        if (order.version != updated.version) return ChangedMeanwhile(order);
        CRM_RETURN_IF_ERROR(CheckEditable(order.status));
        order.customer = updated.customer;
        order.customer_display_name = updated.customer_display_name;
        order.owner = updated.owner;
        order.currency = updated.currency;
        order.requested_delivery_date = updated.requested_delivery_date;
        order.address = updated.address;
        order.notes = updated.notes;
        order.lines = updated.lines;
        order.next_line_number = updated.next_line_number;
        order.RecomputeTotals();
        CRM_RETURN_IF_ERROR(SaveOrder(tx, order, clock_.Now(), /*lines_changed=*/true));
        CRM_RETURN_IF_ERROR(
            AppendOrderEvent(tx, order, kOrderUpdated, access.actor(), std::move(changed_paths)));
        result = ToProto(order);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Order> OrderStore::Submit(const records::Access& access, int64_t id,
                                             int64_t seen_version,
                                             std::optional<int64_t> expected_version,
                                             const SubmitPlan& plan,
                                             const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Order>(
      pool_, key, [&](db::Transaction& tx, v1::Order& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, orders_.Lock(tx, access, id));
        CRM_ASSIGN_OR_RETURN(OrderRecord order, WithDetails(tx, row));
        CRM_RETURN_IF_ERROR(api::CheckVersion(order.name(), order.version, expected_version));
        if (order.status != v1::DRAFT) {
          return CheckMove(order.status, v1::PENDING_APPROVAL);
        }
        if (order.version != seen_version) return ChangedMeanwhile(order);
        if (order.lines.empty()) {
          return Error(absl::StatusCode::kFailedPrecondition, "NO_LINES",
                       "an order without lines cannot be submitted");
        }
        CRM_ASSIGN_OR_RETURN(std::vector<ApprovalRuleSpec> rules, LoadRules(tx));
        if (Evaluate(rules, FactsOf(order)).required_role != plan.requirement.required_role) {
          return ChangedMeanwhile(order);
        }
        const EffectContext effects = Effects(access.actor());
        const absl::Time now = DbTime(effects.now);
        if (plan.needs_approval) {
          ApprovalRecord approval{.order_id = order.id,
                                  .state = v1::APPROVAL_PENDING,
                                  .approver_role = plan.approver_role,
                                  .approver = plan.approver,
                                  .submitter = access.actor(),
                                  .owner = order.owner,
                                  .required_role = plan.requirement.required_role,
                                  .reasons = plan.requirement.reasons,
                                  .currency = order.currency,
                                  .total = order.total,
                                  .max_discount_bps = plan.requirement.max_discount_bps,
                                  .submit_time = now,
                                  .assign_time = now};
          // Only a manager's request moves up; the admins are the last level.
          if (plan.approver_role == auth::v1::SALES_MANAGER) {
            approval.escalate_time = DbTime(now + plan.escalate_after);
          }
          CRM_RETURN_IF_ERROR(InsertApproval(tx, approval));
          CRM_RETURN_IF_ERROR(AddDecision(tx, approval,
                                          {.action = v1::ACTION_SUBMITTED,
                                           .actor = access.actor(),
                                           .approver_role = approval.approver_role,
                                           .approver = approval.approver,
                                           .time = now}));
          order.approval_id = approval.id;
          order.approval = std::move(approval);
          CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::PENDING_APPROVAL, access.actor(),
                                           "submitted for discount approval", now));
          CRM_RETURN_IF_ERROR(
              AppendApprovalEvent(tx, order, kOrderSubmittedForApproval, access.actor()));
        } else {
          CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::APPROVED, access.actor(),
                                           "submitted within the submitter's limits", now));
          CRM_RETURN_IF_ERROR(RequestReservation(tx, effects, order));
        }
        CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
        result = ToProto(order);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Order> OrderStore::Decide(const records::Access& access, int64_t id,
                                             bool approve, const std::string& comment,
                                             const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Order>(
      pool_, key, [&](db::Transaction& tx, v1::Order& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, orders_.LockReadable(tx, access, id));
        CRM_ASSIGN_OR_RETURN(OrderRecord order, WithDetails(tx, row));
        if (order.status != v1::PENDING_APPROVAL || !order.approval ||
            order.approval->state != v1::APPROVAL_PENDING) {
          return NotPending(order);
        }
        ApprovalRecord& approval = *order.approval;
        const bool admin = access.principal().Is(auth::v1::ADMIN);
        if (!admin && (approval.approver.empty() || approval.approver != access.actor())) {
          return Error(absl::StatusCode::kPermissionDenied, "NOT_APPROVER",
                       absl::StrCat(order.name(), " waits for ",
                                    approval.approver.empty() ? "an admin" : approval.approver,
                                    ", not for you"));
        }
        const EffectContext effects = Effects(access.actor());
        const absl::Time now = DbTime(effects.now);
        approval.state = approve ? v1::APPROVAL_APPROVED : v1::APPROVAL_REJECTED;
        approval.decider = access.actor();
        approval.comment = comment;
        approval.decide_time = now;
        approval.escalate_time.reset();
        CRM_RETURN_IF_ERROR(SaveApproval(tx, approval));
        CRM_RETURN_IF_ERROR(AddDecision(tx, approval,
                                        {.action = approve ? v1::ACTION_APPROVED
                                                           : v1::ACTION_REJECTED,
                                         .actor = access.actor(),
                                         .approver_role = approval.approver_role,
                                         .approver = approval.approver,
                                         .comment = comment,
                                         .time = now}));
        CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, approve ? v1::APPROVED : v1::DRAFT,
                                         access.actor(),
                                         approve ? "discount approved" : "discount rejected", now));
        CRM_RETURN_IF_ERROR(AppendApprovalEvent(tx, order, approve ? kOrderApproved : kOrderRejected,
                                                access.actor()));
        if (approve) CRM_RETURN_IF_ERROR(RequestReservation(tx, effects, order));
        CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
        result = ToProto(order);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Order> OrderStore::Transition(const records::Access& access, int64_t id,
                                                 Step step,
                                                 std::optional<int64_t> expected_version,
                                                 const std::string& reason,
                                                 const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Order>(
      pool_, key, [&](db::Transaction& tx, v1::Order& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, orders_.Lock(tx, access, id));
        CRM_ASSIGN_OR_RETURN(OrderRecord order, WithDetails(tx, row));
        CRM_RETURN_IF_ERROR(api::CheckVersion(order.name(), order.version, expected_version));
        const EffectContext effects = Effects(access.actor());
        const absl::Time now = DbTime(effects.now);
        const std::string& actor = access.actor();
        switch (step) {
          case Step::kConfirm:
            CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::CONFIRMED, actor, reason, now));
            CRM_RETURN_IF_ERROR(RequestShipmentAndInvoice(tx, effects, order));
            break;
          case Step::kHold:
            CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::ON_HOLD, actor, reason, now));
            break;
          case Step::kResume:
            if (order.status != v1::ON_HOLD) {
              return Error(absl::StatusCode::kFailedPrecondition, "ILLEGAL_TRANSITION",
                           absl::StrCat("only an order ON_HOLD can be resumed; this one is ",
                                        StatusName(order.status)));
            }
            CRM_RETURN_IF_ERROR(ChangeStatus(tx, order,
                                             ResumeStatus(order.held_from, order.Progress()),
                                             actor, reason, now));
            break;
          case Step::kCancel: {
            for (const LineRecord& line : order.lines) {
              if (line.shipped > 0) {
                return Error(absl::StatusCode::kFailedPrecondition, "ILLEGAL_TRANSITION",
                             absl::StrCat(order.name(), " has shipped goods: return them instead "
                                                        "of cancelling"));
              }
            }
            CRM_RETURN_IF_ERROR(CheckMove(order.status, v1::CANCELLED));
            if (order.status == v1::PENDING_APPROVAL && order.approval &&
                order.approval->state == v1::APPROVAL_PENDING) {
              ApprovalRecord& approval = *order.approval;
              approval.state = v1::APPROVAL_WITHDRAWN;
              approval.decider = actor;
              approval.comment = reason;
              approval.decide_time = now;
              approval.escalate_time.reset();
              CRM_RETURN_IF_ERROR(SaveApproval(tx, approval));
              CRM_RETURN_IF_ERROR(AddDecision(tx, approval,
                                              {.action = v1::ACTION_WITHDRAWN,
                                               .actor = actor,
                                               .approver_role = approval.approver_role,
                                               .approver = approval.approver,
                                               .comment = reason,
                                               .time = now}));
              CRM_RETURN_IF_ERROR(AppendApprovalEvent(tx, order, kOrderApprovalWithdrawn, actor));
            }
            CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::CANCELLED, actor, reason, now));
            CRM_RETURN_IF_ERROR(RequestCancellationEffects(tx, effects, order, reason));
            break;
          }
          case Step::kComplete:
            CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, v1::COMPLETED, actor, reason, now));
            break;
        }
        CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
        result = ToProto(order);
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<int64_t>> OrderStore::DueEscalations(absl::Time now, int limit) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kSelectDueEscalations,
                                                     {db::FormatDateTime(now), int64_t{limit}}));
  std::vector<int64_t> ids;
  for (const db::Row& row : rows) ids.push_back(row.Int(0));
  return ids;
}

absl::StatusOr<bool> OrderStore::Escalate(int64_t approval_id, absl::Time now_in) {
  bool escalated = false;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    escalated = false;
    const absl::Time now = DbTime(now_in);
    CRM_ASSIGN_OR_RETURN(db::Rows found,
                         tx.Query("SELECT order_id FROM approvals WHERE id = ?", {approval_id}));
    if (found.empty()) return absl::OkStatus();
    // The order first, as every other writer of approvals locks it: no lock-order deadlock.
    CRM_ASSIGN_OR_RETURN(OrderRecord order, LockOrder(tx, found[0].Int(0)));
    // Decided, escalated by another replica, or not due: nothing to do (read under the lock).
    if (!order.approval || order.approval->id != approval_id ||
        order.approval->state != v1::APPROVAL_PENDING || !order.approval->escalate_time ||
        *order.approval->escalate_time > now) {
      return absl::OkStatus();
    }
    ApprovalRecord& approval = *order.approval;
    const std::string from = approval.approver;
    approval.approver_role = auth::v1::ADMIN;
    approval.approver.clear();
    approval.assign_time = now;
    approval.escalate_time.reset();
    CRM_RETURN_IF_ERROR(SaveApproval(tx, approval));
    CRM_RETURN_IF_ERROR(AddDecision(
        tx, approval,
        {.action = v1::ACTION_ESCALATED,
         .actor = kOrdersService,
         .approver_role = auth::v1::ADMIN,
         .comment = absl::StrCat("no decision from ", from.empty() ? "the manager" : from,
                                 " in time; escalated to the admins"),
         .time = now}));
    CRM_RETURN_IF_ERROR(AppendApprovalEvent(tx, order, kOrderApprovalEscalated, kOrdersService));
    CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
    escalated = true;
    return absl::OkStatus();
  }));
  return escalated;
}

absl::StatusOr<v1::Shipment> OrderStore::RecordShipment(std::string_view recorder,
                                                        const v1::RecordShipmentRequest& request) {
  CRM_ASSIGN_OR_RETURN(int64_t order_id, api::ParseResourceId(request.order(), "orders", "order"));
  v1::Shipment result;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    result.Clear();
    const EffectContext effects = Effects(recorder);
    const absl::Time now = DbTime(effects.now);
    const absl::Time when =
        request.has_event_time() ? DbTime(FromTimestamp(request.event_time())) : now;
    CRM_ASSIGN_OR_RETURN(OrderRecord order, LockOrder(tx, order_id));
    CRM_ASSIGN_OR_RETURN(db::Rows existing,
                         tx.Query(sql::kLockShipmentByReference, {request.external_reference()}));
    bool delivered_now = false;
    int64_t shipment_id = 0;
    std::vector<std::pair<int, int64_t>> lines;
    if (!existing.empty()) {
      CRM_ASSIGN_OR_RETURN(v1::Shipment known, ShipmentFromRow(tx, existing[0]));
      bool same_lines = request.lines().empty() ||
                        request.lines_size() == known.lines_size();
      for (int i = 0; same_lines && i < request.lines_size(); ++i) {
        bool found = false;
        for (const v1::ShipmentLine& line : known.lines()) {
          found |= line.line_number() == request.lines(i).line_number() &&
                   line.quantity() == request.lines(i).quantity();
        }
        same_lines = found;
      }
      if (existing[0].Int(1) != order_id || !same_lines) {
        return Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_REFERENCE_REUSED",
                     absl::StrCat("shipment ", request.external_reference(),
                                  " was reported before for other goods"));
      }
      if (request.status() != v1::SHIPMENT_DELIVERED || known.status() == v1::SHIPMENT_DELIVERED) {
        result = std::move(known);  // the same report again
        for (const std::string& person : order.Concerned()) result.add_concerned(person);
        return absl::OkStatus();
      }
      shipment_id = existing[0].Int(0);
      delivered_now = true;
      for (const v1::ShipmentLine& line : known.lines()) lines.emplace_back(line.line_number(), line.quantity());
      CRM_RETURN_IF_ERROR(tx.Execute(sql::kMarkShipmentDelivered,
                                     {db::FormatDateTime(when), db::FormatDateTime(now), shipment_id})
                              .status());
    } else {
      if (request.lines().empty()) return InvalidField("lines", "are required on a first report");
      const bool delivered = request.status() == v1::SHIPMENT_DELIVERED;
      db::Value deliver_time = std::monostate();
      if (delivered) deliver_time = db::FormatDateTime(when);
      CRM_ASSIGN_OR_RETURN(
          db::Rows inserted,
          tx.Query(sql::kInsertShipment,
                   {order_id, request.external_reference(), int64_t{request.status()},
                    request.carrier(), request.tracking_number(), db::FormatDateTime(when),
                    deliver_time, std::string(recorder), db::FormatDateTime(now),
                    db::FormatDateTime(now)}));
      shipment_id = inserted[0].Int(0);
      for (const v1::ShipmentLine& line : request.lines()) {
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kInsertShipmentLine,
                                       {shipment_id, int64_t{line.line_number()}, line.quantity()})
                                .status());
        lines.emplace_back(line.line_number(), line.quantity());
        // A line the order does not have is kept on the shipment for the reconciliation.
        if (LineRecord* ordered = order.FindLine(line.line_number())) ordered->shipped += line.quantity();
      }
      delivered_now = delivered;
    }
    if (delivered_now) {
      for (const auto& [number, quantity] : lines) {
        if (LineRecord* ordered = order.FindLine(number)) ordered->delivered += quantity;
      }
    }
    // The status follows the goods where the machine allows; a held order catches up when
    // it is resumed, and anything else is for the reconciliation report.
    const std::string why = absl::StrCat("shipment ", request.external_reference());
    if (order.status == v1::CONFIRMED || order.status == v1::PARTIALLY_SHIPPED ||
        order.status == v1::SHIPPED) {
      const v1::OrderStatus next = ShippingStatus(order.Progress());
      if (next != order.status && CanMove(order.status, next)) {
        CRM_RETURN_IF_ERROR(ChangeStatus(tx, order, next, recorder, why, now));
      }
    }
    if (order.status == v1::DELIVERED && order.paid >= order.total) {
      CRM_RETURN_IF_ERROR(
          ChangeStatus(tx, order, v1::COMPLETED, recorder, "delivered and paid in full", now));
    }
    CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
    CRM_ASSIGN_OR_RETURN(db::Rows saved,
                         tx.Query(sql::kLockShipmentByReference, {request.external_reference()}));
    CRM_ASSIGN_OR_RETURN(result, ShipmentFromRow(tx, saved[0]));
    for (const std::string& person : order.Concerned()) result.add_concerned(person);
    return events::Append(tx,
                          {.type = kShipmentRecorded, .resource = result.name(), .actor = recorder},
                          result);
  }));
  return result;
}

absl::StatusOr<v1::Payment> OrderStore::RecordPayment(std::string_view recorder,
                                                      const v1::RecordPaymentRequest& request) {
  CRM_ASSIGN_OR_RETURN(int64_t order_id, api::ParseResourceId(request.order(), "orders", "order"));
  Violations ignored;
  api::FieldChecker check(ignored, "");
  const int64_t amount = api::ToMinorUnits(request.amount(), check, "amount").value_or(0);
  v1::Payment result;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    result.Clear();
    const absl::Time now = DbTime(clock_.Now());
    const absl::Time paid_time =
        request.has_paid_time() ? DbTime(FromTimestamp(request.paid_time())) : now;
    CRM_ASSIGN_OR_RETURN(OrderRecord order, LockOrder(tx, order_id));
    CRM_ASSIGN_OR_RETURN(db::Rows existing,
                         tx.Query(sql::kSelectPaymentByReference, {request.external_reference()}));
    if (!existing.empty()) {
      if (existing[0].Int(1) != order_id || existing[0].Int(3) != amount ||
          existing[0].Str(4) != request.amount().currency_code()) {
        return Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_REFERENCE_REUSED",
                     absl::StrCat("payment ", request.external_reference(),
                                  " was reported before with another order or amount"));
      }
      result = PaymentFromRow(existing[0]);
      for (const std::string& person : order.Concerned()) result.add_concerned(person);
      return absl::OkStatus();
    }
    if (request.amount().currency_code() != order.currency) {
      return InvalidField("amount.currency_code",
                          absl::StrCat("must be the order's currency, ", order.currency));
    }
    CRM_ASSIGN_OR_RETURN(
        db::Rows inserted,
        tx.Query(sql::kInsertPayment,
                 {order_id, request.external_reference(), amount, order.currency,
                  request.method(), db::FormatDateTime(paid_time), std::string(recorder),
                  db::FormatDateTime(now)}));
    order.paid += amount;
    if (order.status == v1::DELIVERED && order.paid >= order.total) {
      CRM_RETURN_IF_ERROR(
          ChangeStatus(tx, order, v1::COMPLETED, recorder, "delivered and paid in full", now));
    }
    CRM_RETURN_IF_ERROR(SaveOrder(tx, order, now, /*lines_changed=*/false));
    CRM_ASSIGN_OR_RETURN(db::Rows saved,
                         tx.Query(sql::kSelectPaymentByReference, {request.external_reference()}));
    result = PaymentFromRow(saved[0]);
    for (const std::string& person : order.Concerned()) result.add_concerned(person);
    return events::Append(
        tx, {.type = kPaymentReceived, .resource = result.name(), .actor = recorder}, result);
  }));
  return result;
}

absl::StatusOr<std::vector<ApprovalRuleSpec>> OrderStore::Rules() {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return LoadRules(*session);
}

}  // namespace crm::orders
