// crm.orders.v1.OrderService: request rules and API semantics — names, masks, etags, paging,
// idempotency — and the calls to other services an order needs before its transaction:
// the customer (as the caller sees it), the won opportunity, each line's product and price
// at the order time (as the orders service itself), and the owner's manager for an approval.
// Who may see and change which order is the owned-record kit's (libs/records), enforced by
// OrderStore in every statement.
#pragma once

#include "crm/orders/v1/orders.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/orders/order_store.h"
#include "services/orders/peers.h"

namespace crm::orders {

struct OrderServiceOptions {
  // How long a manager has to answer an approval before it goes to the admins.
  absl::Duration approval_escalate_after = absl::Hours(24);
};

class OrderService final : public v1::OrderService::CallbackService {
 public:
  static constexpr char kCreateMethod[] = "/crm.orders.v1.OrderService/CreateOrder";
  static constexpr char kGetMethod[] = "/crm.orders.v1.OrderService/GetOrder";
  static constexpr char kListMethod[] = "/crm.orders.v1.OrderService/ListOrders";
  static constexpr char kListCustomerMethod[] = "/crm.orders.v1.OrderService/ListCustomerOrders";
  static constexpr char kUpdateMethod[] = "/crm.orders.v1.OrderService/UpdateOrder";
  static constexpr char kSubmitMethod[] = "/crm.orders.v1.OrderService/SubmitOrder";
  static constexpr char kApproveMethod[] = "/crm.orders.v1.OrderService/ApproveOrder";
  static constexpr char kRejectMethod[] = "/crm.orders.v1.OrderService/RejectOrder";
  static constexpr char kPendingMethod[] = "/crm.orders.v1.OrderService/ListPendingApprovals";
  static constexpr char kConfirmMethod[] = "/crm.orders.v1.OrderService/ConfirmOrder";
  static constexpr char kHoldMethod[] = "/crm.orders.v1.OrderService/HoldOrder";
  static constexpr char kResumeMethod[] = "/crm.orders.v1.OrderService/ResumeOrder";
  static constexpr char kCancelMethod[] = "/crm.orders.v1.OrderService/CancelOrder";
  static constexpr char kCompleteMethod[] = "/crm.orders.v1.OrderService/CompleteOrder";

  // Everything given must outlive the service.
  OrderService(const service::Kit& kit, OrderStore& store, Catalog& catalog,
               Customers& customers, Opportunities& opportunities, OrderServiceOptions options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        users_(kit.users),
        clock_(kit.clock),
        store_(store),
        catalog_(catalog),
        customers_(customers),
        opportunities_(opportunities),
        options_(options) {}

#define CRM_ORDERS_RPC(Method, Request, Response, constant, handler)                          \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   v1::Response* response) override {                         \
    return rpc_.Serve(ctx, constant, this, &OrderService::handler, request, response);          \
  }
  CRM_ORDERS_RPC(CreateOrder, CreateOrderRequest, Order, kCreateMethod, Create)
  CRM_ORDERS_RPC(GetOrder, GetOrderRequest, Order, kGetMethod, Get)
  CRM_ORDERS_RPC(ListOrders, ListOrdersRequest, ListOrdersResponse, kListMethod, List)
  CRM_ORDERS_RPC(ListCustomerOrders, ListCustomerOrdersRequest, ListOrdersResponse,
                 kListCustomerMethod, ListCustomer)
  CRM_ORDERS_RPC(UpdateOrder, UpdateOrderRequest, Order, kUpdateMethod, Update)
  CRM_ORDERS_RPC(SubmitOrder, SubmitOrderRequest, Order, kSubmitMethod, Submit)
  CRM_ORDERS_RPC(ApproveOrder, ApproveOrderRequest, Order, kApproveMethod, Approve)
  CRM_ORDERS_RPC(RejectOrder, RejectOrderRequest, Order, kRejectMethod, Reject)
  CRM_ORDERS_RPC(ListPendingApprovals, ListPendingApprovalsRequest, ListPendingApprovalsResponse,
                 kPendingMethod, ListPending)
  CRM_ORDERS_RPC(ConfirmOrder, ConfirmOrderRequest, Order, kConfirmMethod, Confirm)
  CRM_ORDERS_RPC(HoldOrder, HoldOrderRequest, Order, kHoldMethod, Hold)
  CRM_ORDERS_RPC(ResumeOrder, ResumeOrderRequest, Order, kResumeMethod, Resume)
  CRM_ORDERS_RPC(CancelOrder, CancelOrderRequest, Order, kCancelMethod, Cancel)
  CRM_ORDERS_RPC(CompleteOrder, CompleteOrderRequest, Order, kCompleteMethod, Complete)
#undef CRM_ORDERS_RPC

  // The handlers proper, synchronous: the RPC edge runs them on the executor, tests call
  // them directly.
  absl::Status Create(const auth::Caller& caller, const v1::CreateOrderRequest& request,
                      v1::Order* response);
  absl::Status Get(const auth::Caller& caller, const v1::GetOrderRequest& request,
                   v1::Order* response);
  absl::Status List(const auth::Caller& caller, const v1::ListOrdersRequest& request,
                    v1::ListOrdersResponse* response);
  absl::Status ListCustomer(const auth::Caller& caller,
                            const v1::ListCustomerOrdersRequest& request,
                            v1::ListOrdersResponse* response);
  absl::Status Update(const auth::Caller& caller, const v1::UpdateOrderRequest& request,
                      v1::Order* response);
  absl::Status Submit(const auth::Caller& caller, const v1::SubmitOrderRequest& request,
                      v1::Order* response);
  absl::Status Approve(const auth::Caller& caller, const v1::ApproveOrderRequest& request,
                       v1::Order* response);
  absl::Status Reject(const auth::Caller& caller, const v1::RejectOrderRequest& request,
                      v1::Order* response);
  absl::Status ListPending(const auth::Caller& caller,
                           const v1::ListPendingApprovalsRequest& request,
                           v1::ListPendingApprovalsResponse* response);
  absl::Status Confirm(const auth::Caller& caller, const v1::ConfirmOrderRequest& request,
                       v1::Order* response);
  absl::Status Hold(const auth::Caller& caller, const v1::HoldOrderRequest& request,
                    v1::Order* response);
  absl::Status Resume(const auth::Caller& caller, const v1::ResumeOrderRequest& request,
                      v1::Order* response);
  absl::Status Cancel(const auth::Caller& caller, const v1::CancelOrderRequest& request,
                      v1::Order* response);
  absl::Status Complete(const auth::Caller& caller, const v1::CompleteOrderRequest& request,
                        v1::Order* response);

 private:
  // A line of `order` priced from the catalog at order.order_time, numbered next.
  absl::StatusOr<LineRecord> PriceNewLine(OrderRecord& order, const v1::OrderLine& line,
                                          const std::string& field, absl::Time deadline);
  // The customer's display name for `caller`, or INVALID_ARGUMENT on `field`.
  absl::StatusOr<std::string> CustomerName(const std::string& customer, const auth::Caller& caller,
                                           std::string_view field);
  // Who approves a submission by `caller` that `requirement` asks for.
  absl::StatusOr<SubmitPlan> Plan(const auth::Caller& caller, Requirement requirement);
  absl::Status Step(const auth::Caller& caller, const char* method, const std::string& name,
                    const std::string& etag, const std::string& request_id, OrderStore::Step step,
                    std::string reason, bool reason_required,
                    const google::protobuf::Message& request, v1::Order* response);

  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  auth::UserDirectory& users_;
  const Clock& clock_;
  OrderStore& store_;
  Catalog& catalog_;
  Customers& customers_;
  Opportunities& opportunities_;
  const OrderServiceOptions options_;
};

}  // namespace crm::orders
