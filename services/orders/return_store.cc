#include "services/orders/return_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/orders/event_types.h"
#include "services/orders/order_data.h"
#include "services/orders/pricing.h"
#include "services/orders/return_data.h"

namespace crm::orders {
namespace {

constexpr char kInsertReturn[] =
    "INSERT INTO order_returns (order_id, order_name, state, requested_resolution, reason, "
    "requester, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr char kInsertReturnLine[] =
    "INSERT INTO return_lines (return_id, line_number, quantity) VALUES (?, ?, ?)";
constexpr char kUpdateReturn[] =
    "UPDATE order_returns SET state = ?, resolution = ?, decider = ?, comment = ?, "
    "refund_minor = ?, replacement_order_id = ?, update_time = ?, version = version + 1 "
    "WHERE id = ?";
constexpr char kUpdateReturnLine[] =
    "UPDATE return_lines SET received_quantity = ?, refund_minor = ? "
    "WHERE return_id = ? AND line_number = ?";
// Units of each line in the order's returns that are still open (not rejected, not yet
// moved onto the order line as returned).
constexpr char kOpenReturnUnits[] =
    "SELECT l.line_number, SUM(CASE WHEN r.state = 4 THEN l.received_quantity ELSE l.quantity "
    "END) FROM return_lines l JOIN order_returns r ON r.id = l.return_id "
    "WHERE r.order_id = ? AND r.state IN (1, 2, 4) GROUP BY l.line_number";

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "order", .column = "r.order_name"},
          {.name = "customer", .column = "o.customer"},
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "r.state",
           .enum_values = api::EnumValues(*v1::ReturnState_descriptor())},
          {.name = "requester", .column = "r.requester"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "r.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "r.update_time",
           .orderable = true},
      },
      "r.id");
  return *fields;
}

absl::Status ReturnNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "RETURN_NOT_FOUND",
               absl::StrCat(api::ResourceName("returns", id), " does not exist"));
}

absl::Status IllegalStep(const ReturnRecord& r, std::string_view step) {
  return Error(absl::StatusCode::kFailedPrecondition, "ILLEGAL_RETURN_TRANSITION",
               absl::StrCat("a return that is ", v1::ReturnState_Name(r.state), " cannot be ",
                            std::string(step)));
}

// The return `id` with its order's facts, if the caller may read the order; locked when
// `lock`.
absl::StatusOr<std::pair<ReturnRecord, ReturnOrderFacts>> LoadReturn(db::Session& session,
                                                                     const records::Access& access,
                                                                     int64_t id, bool lock) {
  api::SqlFragment rule = access.Rows(auth::Operation::kRead, "o.owner");
  std::vector<db::Value> params = {id};
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session.Query(absl::StrCat(kSelectReturnColumns, kFromReturns, " AND r.id = ? AND (",
                                 rule.sql, ")", lock ? " FOR UPDATE" : ""),
                    params));
  if (rows.empty()) return ReturnNotFound(id);
  ReturnRecord record = ReturnFromRow(rows[0]);
  CRM_RETURN_IF_ERROR(LoadReturnLines(session, record));
  return std::make_pair(std::move(record), FactsFromRow(rows[0]));
}

absl::Status SaveReturn(db::Transaction& tx, ReturnRecord& r, absl::Time now) {
  r.update_time = DbTime(now);
  CRM_RETURN_IF_ERROR(tx.Execute(kUpdateReturn,
                                 {int64_t{r.state}, int64_t{r.resolution}, r.decider, r.comment,
                                  r.refund,
                                  r.replacement_order_id == 0 ? db::Value() : db::Value(r.replacement_order_id),
                                  db::FormatDateTime(r.update_time), r.id})
                          .status());
  ++r.version;
  for (const ReturnLineRecord& l : r.lines) {
    CRM_RETURN_IF_ERROR(tx.Execute(kUpdateReturnLine, {l.received, l.refund, r.id,
                                                       int64_t{l.line_number}})
                            .status());
  }
  return absl::OkStatus();
}

// The replacement for the received units of `r`: a confirmed order at no charge with the
// original's customer, owner and address, linked both ways, shipped like any other.
absl::StatusOr<int64_t> CreateReplacement(db::Transaction& tx, const EffectContext& context,
                                          const OrderRecord& original, const ReturnRecord& r) {
  OrderRecord replacement;
  replacement.customer = original.customer;
  replacement.customer_display_name = original.customer_display_name;
  replacement.owner = original.owner;
  replacement.creator = context.actor;
  replacement.currency = original.currency;
  replacement.status = v1::CONFIRMED;
  replacement.address = original.address;
  replacement.notes = absl::StrCat("Replacement for ", original.name(), " (", r.name(), ")");
  replacement.replacement_for = original.id;
  replacement.replacement_return = r.id;
  const absl::Time now = DbTime(context.now);
  replacement.order_time = replacement.create_time = replacement.update_time =
      replacement.status_time = now;
  for (const ReturnLineRecord& returned : r.lines) {
    if (returned.received == 0) continue;
    for (const LineRecord& ordered : original.lines) {
      if (ordered.line_number != returned.line_number) continue;
      LineRecord line = ordered;
      line.line_number = replacement.next_line_number++;
      line.quantity = returned.received;
      line.discount_bps = kFullDiscountBps;
      CRM_ASSIGN_OR_RETURN(LineAmounts amounts,
                           PriceLine(line.quantity, line.unit_price, line.discount_bps));
      line.list = amounts.list;
      line.discount = amounts.discount;
      line.total = amounts.total;
      line.shipped = line.delivered = line.returned = 0;
      replacement.lines.push_back(std::move(line));
    }
  }
  replacement.RecomputeTotals();
  CRM_RETURN_IF_ERROR(InsertOrder(tx, replacement));
  CRM_RETURN_IF_ERROR(AppendOrderEvent(tx, replacement, kOrderCreated, context.actor));
  CRM_RETURN_IF_ERROR(RequestShipmentAndInvoice(tx, context, replacement));
  // The effects set stock_requested; keep it on the row.
  CRM_RETURN_IF_ERROR(SaveOrder(tx, replacement, now, /*lines_changed=*/false));
  return replacement.id;
}

}  // namespace

ReturnStore::ReturnStore(db::Pool& pool, const Clock& clock, std::string event_id_prefix)
    : pool_(pool),
      clock_(clock),
      event_id_prefix_(std::move(event_id_prefix)),
      orders_(OrdersTable()) {}

const api::ListSpec& ReturnStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::StatusOr<v1::Return> ReturnStore::Create(const records::Access& access,
                                               const v1::Return& request,
                                               const db::IdempotencyKey& key) {
  CRM_ASSIGN_OR_RETURN(int64_t order_id,
                       api::ParseResourceId(request.order(), "orders", "return.order"));
  return db::IdempotentWrite<v1::Return>(
      pool_, key, [&](db::Transaction& tx, v1::Return& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, orders_.LockReadable(tx, access, order_id));
        CRM_ASSIGN_OR_RETURN(OrderRecord order, WithDetails(tx, row));
        CRM_ASSIGN_OR_RETURN(db::Rows open_rows, tx.Query(kOpenReturnUnits, {order_id}));
        std::map<int, int64_t> open;
        for (const db::Row& r : open_rows) open[static_cast<int>(r.Int(0))] = r.Int(1);
        Violations violations;
        for (int i = 0; i < request.lines_size(); ++i) {
          const v1::ReturnLine& line = request.lines(i);
          const LineRecord* ordered = order.FindLine(line.line_number());
          if (ordered == nullptr) {
            violations.Add(absl::StrCat("return.lines[", i, "].line_number"),
                           absl::StrCat("is not a line of ", order.name()));
            continue;
          }
          const int64_t returnable = ordered->delivered - ordered->returned - open[line.line_number()];
          if (line.quantity() > returnable) {
            return Error(absl::StatusCode::kFailedPrecondition, "NOT_RETURNABLE",
                         absl::StrCat("line ", line.line_number(), " of ", order.name(), " has ",
                                      std::max<int64_t>(returnable, 0),
                                      " delivered units that are not returned or in a return "
                                      "already; ",
                                      line.quantity(), " asked for"));
          }
        }
        CRM_RETURN_IF_ERROR(violations.ToStatus("invalid return"));
        const absl::Time now = DbTime(clock_.Now());
        ReturnRecord record{.order_id = order_id,
                            .state = v1::RETURN_REQUESTED,
                            .requested_resolution = request.requested_resolution(),
                            .reason = request.reason(),
                            .requester = access.actor(),
                            .create_time = now,
                            .update_time = now};
        CRM_ASSIGN_OR_RETURN(
            db::Rows inserted,
            tx.Query(kInsertReturn, {order_id, order.name(), int64_t{record.state},
                                     int64_t{record.requested_resolution}, record.reason,
                                     record.requester, db::FormatDateTime(now),
                                     db::FormatDateTime(now)}));
        record.id = inserted[0].Int(0);
        for (const v1::ReturnLine& line : request.lines()) {
          CRM_RETURN_IF_ERROR(tx.Execute(kInsertReturnLine, {record.id, int64_t{line.line_number()},
                                                             line.quantity()})
                                  .status());
          record.lines.push_back({.line_number = line.line_number(), .quantity = line.quantity()});
        }
        created = ReturnToProto(record, {.customer = order.customer,
                                         .owner = order.owner,
                                         .currency = order.currency,
                                         .creator = order.creator,
                                         .order = &order});
        return events::Append(
            tx, {.type = kReturnRequested, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Return> ReturnStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(auto loaded, LoadReturn(*session, access, id, /*lock=*/false));
  return ReturnToProto(loaded.first, loaded.second);
}

absl::StatusOr<api::Page<v1::Return>> ReturnStore::List(const records::Access& access,
                                                        const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  struct Loaded {
    ReturnRecord record;
    ReturnOrderFacts facts;
  };
  CRM_ASSIGN_OR_RETURN(
      api::Page<Loaded> page,
      records::ListPage<Loaded>(*session, kSelectReturnColumns, kReturnColumnCount, kFromReturns,
                                access.Rows(auth::Operation::kRead, "o.owner"), query,
                                [](const db::Row& row) {
                                  return Loaded{ReturnFromRow(row), FactsFromRow(row)};
                                }));
  api::Page<v1::Return> out;
  out.has_more = page.has_more;
  out.last_key = std::move(page.last_key);
  for (Loaded& loaded : page.items) {
    CRM_RETURN_IF_ERROR(LoadReturnLines(*session, loaded.record));
    out.items.push_back(ReturnToProto(loaded.record, loaded.facts));
  }
  return out;
}

absl::StatusOr<v1::Return> ReturnStore::Advance(const records::Access& access, int64_t id,
                                                const StepInput& input,
                                                const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Return>(
      pool_, key, [&](db::Transaction& tx, v1::Return& result) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(auto loaded, LoadReturn(tx, access, id, /*lock=*/true));
        ReturnRecord& r = loaded.first;
        ReturnOrderFacts facts = loaded.second;
        const absl::Time now = DbTime(clock_.Now());
        const std::string& actor = access.actor();
        const char* event = kReturnApproved;
        std::optional<OrderRecord> order;
        switch (input.step) {
          case Step::kApprove:
            if (r.state != v1::RETURN_REQUESTED) return IllegalStep(r, "approved");
            r.state = v1::RETURN_APPROVED;
            break;
          case Step::kReject:
            if (r.state != v1::RETURN_REQUESTED && r.state != v1::RETURN_APPROVED) {
              return IllegalStep(r, "rejected");
            }
            r.state = v1::RETURN_REJECTED;
            event = kReturnRejected;
            break;
          case Step::kReceive: {
            if (r.state != v1::RETURN_APPROVED) return IllegalStep(r, "received");
            std::map<int, int64_t> received(input.received.begin(), input.received.end());
            int64_t any = 0;
            for (ReturnLineRecord& line : r.lines) {
              line.received = input.received.empty() ? line.quantity : received[line.line_number];
              if (line.received > line.quantity) {
                return InvalidField("lines",
                                    absl::StrCat("line ", line.line_number, ": ", line.received,
                                                 " received, only ", line.quantity, " requested"));
              }
              received.erase(line.line_number);
              any += line.received;
            }
            if (!received.empty()) {
              return InvalidField("lines", absl::StrCat("line ", received.begin()->first,
                                                        " is not in this return"));
            }
            if (any == 0) return InvalidField("lines", "nothing received: reject the return instead");
            r.state = v1::RETURN_RECEIVED;
            event = kReturnReceived;
            break;
          }
          case Step::kResolve: {
            if (r.state != v1::RETURN_RECEIVED) return IllegalStep(r, "resolved");
            r.state = v1::RETURN_RESOLVED;
            r.resolution = input.resolution == v1::RETURN_RESOLUTION_UNSPECIFIED
                               ? r.requested_resolution
                               : input.resolution;
            CRM_ASSIGN_OR_RETURN(order, LockOrder(tx, r.order_id));
            const EffectContext effects{
                .event_id_prefix = event_id_prefix_, .now = now, .actor = actor};
            integration::v1::WebhookDelivery credit;
            integration::v1::CreateCreditNoteRequest* note = credit.mutable_create_credit_note();
            for (ReturnLineRecord& line : r.lines) {
              LineRecord* ordered = order->FindLine(line.line_number);
              if (ordered == nullptr || line.received == 0) continue;
              if (r.resolution == v1::REFUND) {
                line.refund = RefundShare(ordered->total, ordered->quantity, ordered->returned,
                                          line.received);
                r.refund += line.refund;
                *note->add_lines() = BillingLineOf(*order, *ordered, line.received, line.refund);
              }
              ordered->returned += line.received;
            }
            if (r.resolution == v1::REFUND && r.refund > 0) {
              note->set_order(order->name());
              note->set_customer(order->customer);
              note->set_currency_code(order->currency);
              note->set_return_(r.name());
              note->set_reason(r.reason);
              *note->mutable_total() = api::FromMinorUnits(order->currency, r.refund);
              order->credited += r.refund;
              CRM_RETURN_IF_ERROR(RequestEffect(tx, effects, *order, v1::FINANCE,
                                                v1::CREATE_CREDIT_NOTE, std::move(credit),
                                                r.refund));
            } else if (r.resolution == v1::REPLACEMENT) {
              CRM_ASSIGN_OR_RETURN(r.replacement_order_id,
                                   CreateReplacement(tx, effects, *order, r));
            }
            CRM_RETURN_IF_ERROR(SaveOrder(tx, *order, now, /*lines_changed=*/false));
            facts.order = &*order;
            event = kReturnResolved;
            break;
          }
        }
        r.decider = actor;
        r.comment = input.comment;
        CRM_RETURN_IF_ERROR(SaveReturn(tx, r, now));
        result = ReturnToProto(r, facts);
        return events::Append(tx, {.type = event, .resource = result.name(), .actor = actor},
                              result);
      });
}

}  // namespace crm::orders
