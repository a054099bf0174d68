// crm.customers.v1.CustomerService: request rules and API semantics (names, masks, etags,
// paging, idempotency) for customers, their search, duplicates, merges, history and upcoming
// dates. Who may see and change which customer is decided by the owned-record kit
// (libs/records) — the policy row of the method and the record rules of the role, checked
// once per call — and enforced by the stores in every statement.
#pragma once

#include <google/protobuf/empty.pb.h>

#include <string>

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/customers/stores.h"

namespace crm::customers {

class CustomerService final : public v1::CustomerService::CallbackService {
 public:
  // Full gRPC method names, as in the policy table.
  static constexpr char kCreateMethod[] = "/crm.customers.v1.CustomerService/CreateCustomer";
  static constexpr char kGetMethod[] = "/crm.customers.v1.CustomerService/GetCustomer";
  static constexpr char kListMethod[] = "/crm.customers.v1.CustomerService/ListCustomers";
  static constexpr char kUpdateMethod[] = "/crm.customers.v1.CustomerService/UpdateCustomer";
  static constexpr char kDeleteMethod[] = "/crm.customers.v1.CustomerService/DeleteCustomer";
  static constexpr char kSearchMethod[] = "/crm.customers.v1.CustomerService/SearchCustomers";
  static constexpr char kFindDuplicatesMethod[] =
      "/crm.customers.v1.CustomerService/FindDuplicates";
  static constexpr char kMergeMethod[] = "/crm.customers.v1.CustomerService/MergeCustomers";
  static constexpr char kUnmergeMethod[] = "/crm.customers.v1.CustomerService/UnmergeCustomers";
  static constexpr char kHistoryMethod[] =
      "/crm.customers.v1.CustomerService/ListCustomerHistory";
  static constexpr char kUpcomingDatesMethod[] =
      "/crm.customers.v1.CustomerService/ListUpcomingDates";

  // The kit and the stores must outlive the service.
  CustomerService(const service::Kit& kit, Stores& stores, ServiceOptions options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        stores_(stores),
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
  grpc::ServerUnaryReactor* SearchCustomers(grpc::CallbackServerContext* ctx,
                                            const v1::SearchCustomersRequest* request,
                                            v1::SearchCustomersResponse* response) override {
    return rpc_.Serve(ctx, kSearchMethod, this, &CustomerService::Search, request, response);
  }
  grpc::ServerUnaryReactor* FindDuplicates(grpc::CallbackServerContext* ctx,
                                           const v1::FindDuplicatesRequest* request,
                                           v1::FindDuplicatesResponse* response) override {
    return rpc_.Serve(ctx, kFindDuplicatesMethod, this, &CustomerService::Duplicates, request,
                      response);
  }
  grpc::ServerUnaryReactor* MergeCustomers(grpc::CallbackServerContext* ctx,
                                           const v1::MergeCustomersRequest* request,
                                           v1::CustomerMerge* response) override {
    return rpc_.Serve(ctx, kMergeMethod, this, &CustomerService::Merge, request, response);
  }
  grpc::ServerUnaryReactor* UnmergeCustomers(grpc::CallbackServerContext* ctx,
                                             const v1::UnmergeCustomersRequest* request,
                                             v1::CustomerMerge* response) override {
    return rpc_.Serve(ctx, kUnmergeMethod, this, &CustomerService::Unmerge, request, response);
  }
  grpc::ServerUnaryReactor* ListCustomerHistory(grpc::CallbackServerContext* ctx,
                                                const v1::ListCustomerHistoryRequest* request,
                                                v1::ListCustomerHistoryResponse* response) override {
    return rpc_.Serve(ctx, kHistoryMethod, this, &CustomerService::History, request, response);
  }
  grpc::ServerUnaryReactor* ListUpcomingDates(grpc::CallbackServerContext* ctx,
                                              const v1::ListUpcomingDatesRequest* request,
                                              v1::ListUpcomingDatesResponse* response) override {
    return rpc_.Serve(ctx, kUpcomingDatesMethod, this, &CustomerService::UpcomingDates, request,
                      response);
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
  absl::Status Search(const auth::Caller& caller, const v1::SearchCustomersRequest& request,
                      v1::SearchCustomersResponse* response);
  absl::Status Duplicates(const auth::Caller& caller, const v1::FindDuplicatesRequest& request,
                          v1::FindDuplicatesResponse* response);
  absl::Status Merge(const auth::Caller& caller, const v1::MergeCustomersRequest& request,
                     v1::CustomerMerge* response);
  absl::Status Unmerge(const auth::Caller& caller, const v1::UnmergeCustomersRequest& request,
                       v1::CustomerMerge* response);
  absl::Status History(const auth::Caller& caller, const v1::ListCustomerHistoryRequest& request,
                       v1::ListCustomerHistoryResponse* response);
  absl::Status UpcomingDates(const auth::Caller& caller,
                             const v1::ListUpcomingDatesRequest& request,
                             v1::ListUpcomingDatesResponse* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  Stores& stores_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
