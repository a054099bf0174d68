// crm.orders.v1.ReturnService: returns and exchanges (RMA). Who may see a return is who may
// read its order; who may move it on is the policy row (ADMIN, SALES_MANAGER, SUPPORT).
#pragma once

#include "crm/orders/v1/orders.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/orders/return_store.h"

namespace crm::orders {

class ReturnService final : public v1::ReturnService::CallbackService {
 public:
  static constexpr char kCreateMethod[] = "/crm.orders.v1.ReturnService/CreateReturn";
  static constexpr char kGetMethod[] = "/crm.orders.v1.ReturnService/GetReturn";
  static constexpr char kListMethod[] = "/crm.orders.v1.ReturnService/ListReturns";
  static constexpr char kApproveMethod[] = "/crm.orders.v1.ReturnService/ApproveReturn";
  static constexpr char kRejectMethod[] = "/crm.orders.v1.ReturnService/RejectReturn";
  static constexpr char kReceiveMethod[] = "/crm.orders.v1.ReturnService/ReceiveReturn";
  static constexpr char kResolveMethod[] = "/crm.orders.v1.ReturnService/ResolveReturn";

  ReturnService(const service::Kit& kit, ReturnStore& store)
      : rpc_(kit.rpc), access_(kit.access), page_tokens_(kit.page_tokens), store_(store) {}

#define CRM_RETURNS_RPC(Method, Request, Response, constant, handler)                           \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   v1::Response* response) override {                          \
    return rpc_.Serve(ctx, constant, this, &ReturnService::handler, request, response);          \
  }
  CRM_RETURNS_RPC(CreateReturn, CreateReturnRequest, Return, kCreateMethod, Create)
  CRM_RETURNS_RPC(GetReturn, GetReturnRequest, Return, kGetMethod, Get)
  CRM_RETURNS_RPC(ListReturns, ListReturnsRequest, ListReturnsResponse, kListMethod, List)
  CRM_RETURNS_RPC(ApproveReturn, ApproveReturnRequest, Return, kApproveMethod, Approve)
  CRM_RETURNS_RPC(RejectReturn, RejectReturnRequest, Return, kRejectMethod, Reject)
  CRM_RETURNS_RPC(ReceiveReturn, ReceiveReturnRequest, Return, kReceiveMethod, Receive)
  CRM_RETURNS_RPC(ResolveReturn, ResolveReturnRequest, Return, kResolveMethod, Resolve)
#undef CRM_RETURNS_RPC

  absl::Status Create(const auth::Caller& caller, const v1::CreateReturnRequest& request,
                      v1::Return* response);
  absl::Status Get(const auth::Caller& caller, const v1::GetReturnRequest& request,
                   v1::Return* response);
  absl::Status List(const auth::Caller& caller, const v1::ListReturnsRequest& request,
                    v1::ListReturnsResponse* response);
  absl::Status Approve(const auth::Caller& caller, const v1::ApproveReturnRequest& request,
                       v1::Return* response);
  absl::Status Reject(const auth::Caller& caller, const v1::RejectReturnRequest& request,
                      v1::Return* response);
  absl::Status Receive(const auth::Caller& caller, const v1::ReceiveReturnRequest& request,
                       v1::Return* response);
  absl::Status Resolve(const auth::Caller& caller, const v1::ResolveReturnRequest& request,
                       v1::Return* response);

 private:
  absl::Status Advance(const auth::Caller& caller, const char* method, const std::string& name,
                       const std::string& request_id, ReturnStore::StepInput input,
                       bool comment_required, const google::protobuf::Message& request,
                       v1::Return* response);

  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  ReturnStore& store_;
};

}  // namespace crm::orders
