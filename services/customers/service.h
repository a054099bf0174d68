// crm.customers.v1.CustomerService: request rules and API semantics (names, masks, etags,
// paging, idempotency). SQL lives in CustomerStore; blocking work runs on the executor.
#pragma once

#include <string>

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/api/query.h"
#include "libs/grpc/executor.h"
#include "services/customers/store.h"

namespace crm::customers {

struct ServiceOptions {
  std::string default_phone_region = "CN";  // for national-format numbers without a country
  int default_page_size = 50;
  int max_page_size = 1000;
};

class CustomerService final : public v1::CustomerService::CallbackService {
 public:
  CustomerService(CustomerStore& store, Executor& executor, const api::PageTokenCodec& tokens,
                  ServiceOptions options)
      : store_(store), executor_(executor), tokens_(tokens), options_(std::move(options)) {}

  grpc::ServerUnaryReactor* CreateCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::CreateCustomerRequest* request,
                                           v1::Customer* response) override;
  grpc::ServerUnaryReactor* GetCustomer(grpc::CallbackServerContext* ctx,
                                        const v1::GetCustomerRequest* request,
                                        v1::Customer* response) override;
  grpc::ServerUnaryReactor* ListCustomers(grpc::CallbackServerContext* ctx,
                                          const v1::ListCustomersRequest* request,
                                          v1::ListCustomersResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateCustomerRequest* request,
                                           v1::Customer* response) override;
  grpc::ServerUnaryReactor* DeleteCustomer(grpc::CallbackServerContext* ctx,
                                           const v1::DeleteCustomerRequest* request,
                                           google::protobuf::Empty* response) override;

  // The handlers proper, synchronous, for the executor (and for tests).
  absl::Status Create(const v1::CreateCustomerRequest& request, v1::Customer* response);
  absl::Status Get(const v1::GetCustomerRequest& request, v1::Customer* response);
  absl::Status List(const v1::ListCustomersRequest& request, v1::ListCustomersResponse* response);
  absl::Status Update(const v1::UpdateCustomerRequest& request, v1::Customer* response);
  absl::Status Delete(const v1::DeleteCustomerRequest& request);

 private:
  CustomerStore& store_;
  Executor& executor_;
  const api::PageTokenCodec& tokens_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
