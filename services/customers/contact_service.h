// crm.customers.v1.ContactService: the people at a company customer, under the customer's
// record rules (contact_store.h).
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/customers/stores.h"

namespace crm::customers {

class ContactService final : public v1::ContactService::CallbackService {
 public:
  static constexpr char kCreateMethod[] = "/crm.customers.v1.ContactService/CreateContact";
  static constexpr char kGetMethod[] = "/crm.customers.v1.ContactService/GetContact";
  static constexpr char kListMethod[] = "/crm.customers.v1.ContactService/ListContacts";
  static constexpr char kUpdateMethod[] = "/crm.customers.v1.ContactService/UpdateContact";
  static constexpr char kDeleteMethod[] = "/crm.customers.v1.ContactService/DeleteContact";

  ContactService(const service::Kit& kit, Stores& stores, ServiceOptions options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        contacts_(stores.contacts),
        options_(std::move(options)) {}

  grpc::ServerUnaryReactor* CreateContact(grpc::CallbackServerContext* ctx,
                                          const v1::CreateContactRequest* request,
                                          v1::Contact* response) override {
    return rpc_.Serve(ctx, kCreateMethod, this, &ContactService::Create, request, response);
  }
  grpc::ServerUnaryReactor* GetContact(grpc::CallbackServerContext* ctx,
                                       const v1::GetContactRequest* request,
                                       v1::Contact* response) override {
    return rpc_.Serve(ctx, kGetMethod, this, &ContactService::Get, request, response);
  }
  grpc::ServerUnaryReactor* ListContacts(grpc::CallbackServerContext* ctx,
                                         const v1::ListContactsRequest* request,
                                         v1::ListContactsResponse* response) override {
    return rpc_.Serve(ctx, kListMethod, this, &ContactService::List, request, response);
  }
  grpc::ServerUnaryReactor* UpdateContact(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateContactRequest* request,
                                          v1::Contact* response) override {
    return rpc_.Serve(ctx, kUpdateMethod, this, &ContactService::Update, request, response);
  }
  grpc::ServerUnaryReactor* DeleteContact(grpc::CallbackServerContext* ctx,
                                          const v1::DeleteContactRequest* request,
                                          google::protobuf::Empty* response) override {
    return rpc_.Serve(ctx, kDeleteMethod, this, &ContactService::Delete, request, response);
  }

  absl::Status Create(const auth::Caller& caller, const v1::CreateContactRequest& request,
                      v1::Contact* response);
  absl::Status Get(const auth::Caller& caller, const v1::GetContactRequest& request,
                   v1::Contact* response);
  absl::Status List(const auth::Caller& caller, const v1::ListContactsRequest& request,
                    v1::ListContactsResponse* response);
  absl::Status Update(const auth::Caller& caller, const v1::UpdateContactRequest& request,
                      v1::Contact* response);
  absl::Status Delete(const auth::Caller& caller, const v1::DeleteContactRequest& request,
                      google::protobuf::Empty* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  ContactStore& contacts_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
