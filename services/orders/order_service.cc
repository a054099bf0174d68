#include "services/orders/order_service.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/orders/pricing.h"
#include "services/orders/validation.h"

namespace crm::orders {
namespace {

constexpr char kCollection[] = "orders";

// What UpdateOrder may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths =
      new std::set<std::string>{"customer", "owner", "currency_code", "requested_delivery_date",
                                "shipping_address", "notes", "lines"};
  return *paths;
}

// ListCustomerOrders: a customer's history, a smaller page by default (each in FULL).
const api::ListSpec& CustomerOrdersSpec() {
  static const api::ListSpec spec{.fields = OrderStore::ListSpec().fields,
                                  .default_order = "create_time desc",
                                  .default_page_size = 20,
                                  .max_page_size = 100};
  return spec;
}

// The fields a client may set; the rest are the server's.
v1::Order ClientFields(const v1::Order& in) {
  v1::Order o;
  o.set_customer(in.customer());
  o.set_opportunity(in.opportunity());
  o.set_owner(in.owner());
  o.set_currency_code(in.currency_code());
  if (in.has_order_time()) *o.mutable_order_time() = in.order_time();
  o.set_requested_delivery_date(in.requested_delivery_date());
  if (in.has_shipping_address()) *o.mutable_shipping_address() = in.shipping_address();
  o.set_notes(in.notes());
  for (const v1::OrderLine& line : in.lines()) {
    v1::OrderLine* kept = o.add_lines();
    kept->set_line_number(line.line_number());
    kept->set_product(line.product());
    kept->set_quantity(line.quantity());
    kept->set_discount_percent(line.discount_percent());
  }
  return o;
}

absl::Status CheckTotal(const OrderRecord& order) {
  int64_t total = 0;
  for (const LineRecord& line : order.lines) {
    total += line.total;
    if (total > kMaxMinorUnits) {
      return InvalidField("order.lines", "make the order total above 10^15 minor units");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> OrderService::CustomerName(const std::string& customer,
                                                       const auth::Caller& caller,
                                                       std::string_view field) {
  absl::StatusOr<std::string> name = customers_.DisplayName(customer, caller);
  if (name.status().code() == absl::StatusCode::kNotFound) {
    return InvalidField(field, "is not a customer you can see");
  }
  return name;
}

absl::StatusOr<LineRecord> OrderService::PriceNewLine(OrderRecord& order, const v1::OrderLine& in,
                                                      const std::string& field,
                                                      absl::Time deadline) {
  absl::StatusOr<PricedProduct> priced =
      catalog_.Price(in.product(), order.currency, order.order_time, deadline);
  if (priced.status().code() == absl::StatusCode::kNotFound) {
    if (ErrorReason(priced.status()) == "PRICE_NOT_FOUND") {
      return InvalidField(field + ".product",
                          absl::StrCat("has no ", order.currency, " price at the order time"));
    }
    return InvalidField(field + ".product", "is not a product that can be ordered");
  }
  CRM_RETURN_IF_ERROR(priced.status());
  LineRecord line{.line_number = order.next_line_number++,
                  .product = in.product(),
                  .display_name = priced->display_name,
                  .sku = priced->sku,
                  .unit = priced->unit,
                  .external_id = priced->external_id,
                  .price = priced->price,
                  .unit_price = priced->unit_price_minor,
                  .quantity = in.quantity(),
                  .discount_bps = ParseDiscountBps(in.discount_percent()).value_or(0)};
  absl::StatusOr<LineAmounts> amounts = PriceLine(line.quantity, line.unit_price, line.discount_bps);
  if (!amounts.ok()) return InvalidField(field + ".quantity", "makes the line above 10^15 minor units");
  line.list = amounts->list;
  line.discount = amounts->discount;
  line.total = amounts->total;
  return line;
}

absl::Status OrderService::Create(const auth::Caller& caller,
                                  const v1::CreateOrderRequest& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_order()) return InvalidField("order", "is required");
  v1::Order order = ClientFields(request.order());
  // From a won opportunity: its customer, owner and products, unless the request says more.
  if (!api::Trim(order.opportunity()).empty()) {
    order.set_opportunity(api::Trim(order.opportunity()));
    if (!api::ParseResourceId(order.opportunity(), "opportunities").ok()) {
      return InvalidField("order.opportunity", "must be a name like \"opportunities/42\"");
    }
    absl::StatusOr<OpportunitySummary> won = opportunities_.Get(order.opportunity(), caller);
    if (won.status().code() == absl::StatusCode::kNotFound) {
      return InvalidField("order.opportunity", "is not an opportunity you can see");
    }
    CRM_RETURN_IF_ERROR(won.status());
    if (!won->won) {
      return Error(absl::StatusCode::kFailedPrecondition, "OPPORTUNITY_NOT_WON",
                   absl::StrCat(order.opportunity(), " is ", won->stage,
                                ": only a won opportunity becomes an order"));
    }
    if (order.customer().empty()) order.set_customer(won->customer);
    if (order.customer() != won->customer) {
      return InvalidField("order.customer", "must be the opportunity's customer");
    }
    if (order.owner().empty()) order.set_owner(won->owner);
    if (order.lines().empty()) {
      for (const std::string& product : won->products) {
        v1::OrderLine* line = order.add_lines();
        line->set_product(product);
        line->set_quantity(1);
      }
    }
  }
  const absl::Time now = clock_.Now();
  CRM_RETURN_IF_ERROR(NormalizeAndValidateOrder(order, "order", now, /*customer_optional=*/false));
  for (const v1::OrderLine& line : order.lines()) {
    if (line.line_number() != 0) {
      return InvalidField("order.lines", "a new order's lines have no line_number yet");
    }
  }
  if (order.owner().empty()) order.set_owner(access.actor());
  // Creating an order for someone else is giving it to them.
  if (order.owner() != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(order.owner(), order.owner(), "order.owner"));
  }
  CRM_ASSIGN_OR_RETURN(std::string customer_name,
                       CustomerName(order.customer(), caller, "order.customer"));

  OrderRecord record{.customer = order.customer(),
                     .customer_display_name = std::move(customer_name),
                     .opportunity = order.opportunity(),
                     .owner = order.owner(),
                     .currency = order.currency_code(),
                     .order_time = order.has_order_time() ? FromTimestamp(order.order_time()) : now,
                     .requested_delivery_date = order.requested_delivery_date(),
                     .address = order.shipping_address(),
                     .notes = order.notes()};
  for (int i = 0; i < order.lines_size(); ++i) {
    CRM_ASSIGN_OR_RETURN(LineRecord line, PriceNewLine(record, order.lines(i),
                                                       absl::StrCat("order.lines[", i, "]"),
                                                       caller.deadline));
    record.lines.push_back(std::move(line));
  }
  CRM_RETURN_IF_ERROR(CheckTotal(record));
  CRM_ASSIGN_OR_RETURN(*response, store_.Create(access, record,
                                                db::KeyFor("CreateOrder", request, access.actor())));
  return absl::OkStatus();
}

absl::Status OrderService::Get(const auth::Caller& caller, const v1::GetOrderRequest& request,
                               v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id, request.view()));
  return absl::OkStatus();
}

absl::Status OrderService::List(const auth::Caller& caller, const v1::ListOrdersRequest& request,
                                v1::ListOrdersResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMethod));
  // Tokens are bound to the user: a position in one says something about orders only that
  // user may see.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, OrderStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Order> page, store_.List(access, query, request.view()));
  for (v1::Order& order : page.items) *response->add_orders() = std::move(order);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status OrderService::ListCustomer(const auth::Caller& caller,
                                        const v1::ListCustomerOrdersRequest& request,
                                        v1::ListOrdersResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListCustomerMethod));
  CRM_ASSIGN_OR_RETURN(int64_t customer_id,
                       api::ParseResourceId(request.customer(), "customers", "customer"));
  const std::string filter =
      absl::StrCat("customer = \"", api::ResourceName("customers", customer_id), "\"");
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), filter, "", request.page_token(),
                                        CustomerOrdersSpec(), page_tokens_, access.actor()));
  const v1::OrderView view = request.view() == v1::ORDER_VIEW_UNSPECIFIED ? v1::FULL : request.view();
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Order> page, store_.List(access, query, view));
  for (v1::Order& order : page.items) *response->add_orders() = std::move(order);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status OrderService::Update(const auth::Caller& caller,
                                  const v1::UpdateOrderRequest& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_order(), request.order(), request.has_update_mask(),
                             request.update_mask(), kCollection, "order", UpdatablePaths()));
  CRM_ASSIGN_OR_RETURN(OrderRecord current, store_.Read(access, target.id));
  CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), current.version, target.version));
  CRM_RETURN_IF_ERROR(CheckEditable(current.status));

  const v1::Order before = ClientFields(ToProto(current));
  v1::Order edited = before;
  CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), ClientFields(request.order()),
                                          &edited, UpdatablePaths()));
  CRM_RETURN_IF_ERROR(NormalizeAndValidateOrder(edited, "order", clock_.Now(),
                                                /*customer_optional=*/false));
  std::vector<std::string> changed = api::ChangedPaths(before, edited, UpdatablePaths());

  OrderRecord updated = current;
  if (edited.customer() != current.customer) {
    CRM_ASSIGN_OR_RETURN(updated.customer_display_name,
                         CustomerName(edited.customer(), caller, "order.customer"));
    updated.customer = edited.customer();
  }
  if (edited.owner() != current.owner) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(current.owner, edited.owner(), "order.owner"));
    updated.owner = edited.owner();
  }
  updated.currency = edited.currency_code();
  updated.requested_delivery_date = edited.requested_delivery_date();
  updated.address = edited.shipping_address();
  updated.notes = edited.notes();
  // A numbered line keeps its price (unless the currency changed); a new one is priced now,
  // at the order's time.
  const bool repriced = updated.currency != current.currency;
  updated.lines.clear();
  for (int i = 0; i < edited.lines_size(); ++i) {
    const v1::OrderLine& in = edited.lines(i);
    const std::string field = absl::StrCat("order.lines[", i, "]");
    if (in.line_number() == 0 || repriced) {
      CRM_ASSIGN_OR_RETURN(LineRecord line, PriceNewLine(updated, in, field, caller.deadline));
      if (in.line_number() != 0) line.line_number = in.line_number();
      updated.lines.push_back(std::move(line));
      continue;
    }
    LineRecord* kept = current.FindLine(in.line_number());
    if (kept == nullptr) return InvalidField(field + ".line_number", "is not a line of this order");
    if (kept->product != in.product()) {
      return InvalidField(field + ".product", "cannot change on a line: add a new line instead");
    }
    LineRecord line = *kept;
    line.quantity = in.quantity();
    line.discount_bps = ParseDiscountBps(in.discount_percent()).value_or(0);
    absl::StatusOr<LineAmounts> amounts = PriceLine(line.quantity, line.unit_price, line.discount_bps);
    if (!amounts.ok()) return InvalidField(field + ".quantity", "makes the line above 10^15 minor units");
    line.list = amounts->list;
    line.discount = amounts->discount;
    line.total = amounts->total;
    updated.lines.push_back(std::move(line));
  }
  CRM_RETURN_IF_ERROR(CheckTotal(updated));
  CRM_ASSIGN_OR_RETURN(*response, store_.UpdateDraft(access, updated, target.version,
                                                     std::move(changed),
                                                     db::KeyFor("UpdateOrder", request,
                                                                access.actor())));
  return absl::OkStatus();
}

absl::StatusOr<SubmitPlan> OrderService::Plan(const auth::Caller& caller, Requirement requirement) {
  SubmitPlan plan{.requirement = std::move(requirement),
                  .escalate_after = options_.approval_escalate_after};
  const auth::Principal& principal = caller.principal;
  plan.needs_approval = NeedsApproval(principal.role, plan.requirement);
  if (!plan.needs_approval) return plan;
  plan.approver_role = plan.requirement.required_role;
  if (plan.approver_role != auth::v1::SALES_MANAGER) return plan;  // any admin
  // A manager's approval: the submitter's team's manager (a rep submits only their own
  // orders), or the admins when the team has none.
  std::string manager;
  if (!principal.team.empty()) {
    absl::StatusOr<std::string> found = users_.TeamManager(principal.team, caller.authorization);
    if (found.ok()) {
      manager = *found;
    } else if (found.status().code() != absl::StatusCode::kNotFound) {
      return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
                   "your team's manager cannot be looked up right now; try again");
    }
  }
  if (manager.empty() || manager == principal.user) {
    plan.approver_role = auth::v1::ADMIN;
  } else {
    plan.approver = manager;
  }
  return plan;
}

absl::Status OrderService::Submit(const auth::Caller& caller,
                                  const v1::SubmitOrderRequest& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kSubmitMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> expected, api::OptionalVersion(request.etag()));
  const db::IdempotencyKey key = db::KeyFor("SubmitOrder", request, access.actor());
  CRM_ASSIGN_OR_RETURN(OrderRecord current, store_.Read(access, id));
  // A retry of a submission that went through finds its answer in the store, not an error.
  if (current.status != v1::DRAFT && key.request_id.empty()) {
    return CheckMove(current.status, v1::PENDING_APPROVAL);
  }
  CRM_ASSIGN_OR_RETURN(std::vector<ApprovalRuleSpec> rules, store_.Rules());
  CRM_ASSIGN_OR_RETURN(SubmitPlan plan, Plan(caller, Evaluate(rules, FactsOf(current))));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Submit(access, id, current.version, expected, plan, key));
  return absl::OkStatus();
}

absl::Status OrderService::Approve(const auth::Caller& caller,
                                   const v1::ApproveOrderRequest& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kApproveMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  std::string comment = request.comment();
  CRM_RETURN_IF_ERROR(ValidateComment(&comment, "comment", /*required=*/false));
  CRM_ASSIGN_OR_RETURN(*response, store_.Decide(access, id, /*approve=*/true, comment,
                                                db::KeyFor("ApproveOrder", request, access.actor())));
  return absl::OkStatus();
}

absl::Status OrderService::Reject(const auth::Caller& caller,
                                  const v1::RejectOrderRequest& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kRejectMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  std::string comment = request.comment();
  CRM_RETURN_IF_ERROR(ValidateComment(&comment, "comment", /*required=*/true));
  CRM_ASSIGN_OR_RETURN(*response, store_.Decide(access, id, /*approve=*/false, comment,
                                                db::KeyFor("RejectOrder", request, access.actor())));
  return absl::OkStatus();
}

absl::Status OrderService::ListPending(const auth::Caller& caller,
                                       const v1::ListPendingApprovalsRequest& request,
                                       v1::ListPendingApprovalsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kPendingMethod));
  if (request.all() && !access.principal().Is(auth::v1::ADMIN)) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "only admins may list every pending approval");
  }
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), "", "", request.page_token(), OrderStore::PendingSpec(),
                       page_tokens_, absl::StrCat(access.actor(), request.all() ? "/all" : "")));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Order> page,
                       store_.ListPendingApprovals(access, query, request.all()));
  for (v1::Order& order : page.items) *response->add_orders() = std::move(order);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status OrderService::Step(const auth::Caller& caller, const char* method,
                                const std::string& name, const std::string& etag,
                                const std::string& request_id, OrderStore::Step step,
                                std::string reason, bool reason_required,
                                const google::protobuf::Message& request, v1::Order* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, method));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request_id, /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> expected, api::OptionalVersion(etag));
  CRM_RETURN_IF_ERROR(ValidateComment(&reason, "reason", reason_required));
  const std::string_view method_name = std::string_view(method).substr(
      std::string_view(method).rfind('/') + 1);
  CRM_ASSIGN_OR_RETURN(*response, store_.Transition(access, id, step, expected, reason,
                                                    db::KeyFor(method_name, request,
                                                               access.actor())));
  return absl::OkStatus();
}

absl::Status OrderService::Confirm(const auth::Caller& caller,
                                   const v1::ConfirmOrderRequest& request, v1::Order* response) {
  return Step(caller, kConfirmMethod, request.name(), request.etag(), request.request_id(),
              OrderStore::Step::kConfirm, "confirmed by the customer", false, request, response);
}

absl::Status OrderService::Hold(const auth::Caller& caller, const v1::HoldOrderRequest& request,
                                v1::Order* response) {
  return Step(caller, kHoldMethod, request.name(), "", request.request_id(),
              OrderStore::Step::kHold, request.reason(), true, request, response);
}

absl::Status OrderService::Resume(const auth::Caller& caller,
                                  const v1::ResumeOrderRequest& request, v1::Order* response) {
  return Step(caller, kResumeMethod, request.name(), "", request.request_id(),
              OrderStore::Step::kResume, "resumed", false, request, response);
}

absl::Status OrderService::Cancel(const auth::Caller& caller,
                                  const v1::CancelOrderRequest& request, v1::Order* response) {
  return Step(caller, kCancelMethod, request.name(), "", request.request_id(),
              OrderStore::Step::kCancel, request.reason(), true, request, response);
}

absl::Status OrderService::Complete(const auth::Caller& caller,
                                    const v1::CompleteOrderRequest& request, v1::Order* response) {
  return Step(caller, kCompleteMethod, request.name(), "", request.request_id(),
              OrderStore::Step::kComplete,
              request.reason().empty() ? "completed" : request.reason(), false, request, response);
}

}  // namespace crm::orders
