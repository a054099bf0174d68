// crm.customers.v1.CustomerService: request rules and API semantics (names, masks, etags,
// paging, idempotency). Who may see and change which customer is decided by the owned-record
// kit (libs/records) — the policy row of the method and the record rules of the role, checked
// once per call — and enforced by CustomerStore in every statement.
#pragma once

#include <google/protobuf/empty.pb.h>

#include <string>

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/customers/store.h"

namespace crm::customers {

struct ServiceOptions {
  std::string default_phone_region = "CN";  // for national-format numbers without a country
};

class CustomerService final : public v1::CustomerService::CallbackService {
 public:
  // Full gRPC method names, as in the policy table.
  static constexpr char kCreateMethod[] = "/crm.customers.v1.CustomerService/CreateCustomer";
  static constexpr char kGetMethod[] = "/crm.customers.v1.CustomerService/GetCustomer";
  static constexpr char kListMethod[] = "/crm.customers.v1.CustomerService/ListCustomers";
  static constexpr char kUpdateMethod[] = "/crm.customers.v1.CustomerService/UpdateCustomer";
  static constexpr char kDeleteMethod[] = "/crm.customers.v1.CustomerService/DeleteCustomer";

  // The kit and the store must outlive the service.
  CustomerService(const service::Kit& kit, CustomerStore& store, ServiceOptions options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        options_(std::move(options)) {}

  grpc::ServerUnaryReactor* CreateCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::CreateCustomerRequest* request,
                                           v1::Customer* response) override {
    return rpc_.Serve(ctx, kCreateMethod, this, &CustomerService::Create, request, response);
  }
  grpc::ServerUnaryReactor* GetCustomer(grpc::CallbackServerContext* ctx,
                                        const v1::GetCustomerRequest* request,
                                        v1::Customer* response) override {
    return rpc_.Serve(ctx, kGetMethod, this, &CustomerService::Get, request, response);
  }
  grpc::ServerUnaryReactor* ListCustomers(grpc::CallbackServerContext* ctx,
                                          const v1::ListCustomersRequest* request,
                                          v1::ListCustomersResponse* response) override {
    return rpc_.Serve(ctx, kListMethod, this, &CustomerService::List, request, response);
  }
  grpc::ServerUnaryReactor* UpdateCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateCustomerRequest* request,
                                           v1::Customer* response) override {
    return rpc_.Serve(ctx, kUpdateMethod, this, &CustomerService::Update, request, response);
  }
  grpc::ServerUnaryReactor* DeleteCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::DeleteCustomerRequest* request,
                                           google::protobuf::Empty* response) override {
    return rpc_.Serve(ctx, kDeleteMethod, this, &CustomerService::Delete, request, response);
  }

  // The handlers proper, synchronous: the RPC edge runs them on the executor, tests call
  // them directly. Each asks the kit for the caller's access to its method first.
  absl::Status Create(const auth::Caller& caller, const v1::CreateCustomerRequest& request,
                      v1::Customer* response);
  absl::Status Get(const auth::Caller& caller, const v1::GetCustomerRequest& request,
                   v1::Customer* response);
  absl::Status List(const auth::Caller& caller, const v1::ListCustomersRequest& request,
                    v1::ListCustomersResponse* response);
  absl::Status Update(const auth::Caller& caller, const v1::UpdateCustomerRequest& request,
                      v1::Customer* response);
  absl::Status Delete(const auth::Caller& caller, const v1::DeleteCustomerRequest& request,
                      google::protobuf::Empty* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  CustomerStore& store_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
