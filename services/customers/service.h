// crm.customers.v1.CustomerService: request rules and API semantics (names, masks, etags,
// paging, idempotency, who may see and change what). SQL lives in CustomerStore; blocking
// work runs on the executor.
//
// Access: each RPC is authorized (token and policy table, libs/auth) on the gRPC thread
// before any work is queued; the synchronous handlers then apply the record-level rules
// for the verified caller (see the top of proto/crm/customers/v1/customers.proto).
#pragma once

#include <string>

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/api/query.h"
#include "libs/auth/directory.h"
#include "libs/auth/principal.h"
#include "libs/auth/verifier.h"
#include "libs/grpc/executor.h"
#include "services/customers/store.h"

namespace crm::customers {

struct ServiceOptions {
  std::string default_phone_region = "CN";  // for national-format numbers without a country
  int default_page_size = 50;
  int max_page_size = 1000;
};

// Who is calling: the verified principal, and the raw `authorization` metadata value
// ("Bearer ...") forwarded when the service asks the auth service on the caller's behalf.
struct Caller {
  auth::Principal principal;
  std::string authorization;
};

class CustomerService final : public v1::CustomerService::CallbackService {
 public:
  // Full gRPC method names, as in the policy table.
  static constexpr char kCreateMethod[] = "/crm.customers.v1.CustomerService/CreateCustomer";
  static constexpr char kGetMethod[] = "/crm.customers.v1.CustomerService/GetCustomer";
  static constexpr char kListMethod[] = "/crm.customers.v1.CustomerService/ListCustomers";
  static constexpr char kUpdateMethod[] = "/crm.customers.v1.CustomerService/UpdateCustomer";
  static constexpr char kDeleteMethod[] = "/crm.customers.v1.CustomerService/DeleteCustomer";

  // `authorizer` verifies tokens and holds the policy table; `users` checks a new owner
  // named by an admin; `members` knows who is in a manager's teams now. All must outlive
  // the service.
  CustomerService(CustomerStore& store, Executor& executor, const api::PageTokenCodec& tokens,
                  const auth::Authorizer& authorizer, auth::UserDirectory& users,
                  auth::TeamMembers& members, ServiceOptions options)
      : store_(store),
        executor_(executor),
        tokens_(tokens),
        authorizer_(authorizer),
        users_(users),
        members_(members),
        options_(std::move(options)) {}

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

  // The handlers proper, synchronous, for the executor (and for tests). Each checks the
  // caller's role against the policy table again (PERMISSION_DENIED), then the record rules.
  absl::Status Create(const Caller& caller, const v1::CreateCustomerRequest& request,
                      v1::Customer* response);
  absl::Status Get(const Caller& caller, const v1::GetCustomerRequest& request,
                   v1::Customer* response);
  absl::Status List(const Caller& caller, const v1::ListCustomersRequest& request,
                    v1::ListCustomersResponse* response);
  absl::Status Update(const Caller& caller, const v1::UpdateCustomerRequest& request,
                      v1::Customer* response);
  absl::Status Delete(const Caller& caller, const v1::DeleteCustomerRequest& request);

 private:
  // Authorizes the call for `method`: the caller, or the status to finish the call with.
  absl::StatusOr<Caller> Authorize(const grpc::CallbackServerContext& ctx,
                                   std::string_view method) const;
  // The caller's principal with its team members resolved (blocking: runs on the executor).
  absl::StatusOr<auth::Principal> Resolve(const Caller& caller);
  // OK when `principal` may move a customer from `from` to `to` (for a new customer both
  // are the intended owner), and `to` is an active user.
  absl::Status CheckNewOwner(const Caller& caller, const auth::Principal& principal,
                             const std::string& from, const std::string& to);

  CustomerStore& store_;
  Executor& executor_;
  const api::PageTokenCodec& tokens_;
  const auth::Authorizer& authorizer_;
  auth::UserDirectory& users_;
  auth::TeamMembers& members_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
