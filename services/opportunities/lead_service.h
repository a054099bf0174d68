// crm.opportunities.v1.LeadService: request rules and API semantics for leads, their import
// and their conversion. Who may see and change which lead is decided by the owned-record kit
// under LeadRules (rules.h), once per call, and enforced by LeadStore in every statement.
#pragma once

#include <google/protobuf/empty.pb.h>

#include <string>
#include <vector>

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/opportunities/clients.h"
#include "services/opportunities/lead_store.h"
#include "services/opportunities/options.h"

namespace crm::opportunities {

class LeadService final : public v1::LeadService::CallbackService {
 public:
#define CRM_LEAD_METHOD(name) "/crm.opportunities.v1.LeadService/" #name
  static constexpr char kCreateLead[] = CRM_LEAD_METHOD(CreateLead);
  static constexpr char kGetLead[] = CRM_LEAD_METHOD(GetLead);
  static constexpr char kListLeads[] = CRM_LEAD_METHOD(ListLeads);
  static constexpr char kUpdateLead[] = CRM_LEAD_METHOD(UpdateLead);
  static constexpr char kDeleteLead[] = CRM_LEAD_METHOD(DeleteLead);
  static constexpr char kImportLeads[] = CRM_LEAD_METHOD(ImportLeads);
  static constexpr char kDisqualifyLead[] = CRM_LEAD_METHOD(DisqualifyLead);
  static constexpr char kConvertLead[] = CRM_LEAD_METHOD(ConvertLead);
#undef CRM_LEAD_METHOD

  // Everything given must outlive the service.
  LeadService(const service::Kit& kit, LeadStore& store, CustomerDirectory& customers,
              ProductCatalog& products, const Options& options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        customers_(customers),
        products_(products),
        options_(options) {}

#define CRM_SERVE(Method, Request, Response)                                                 \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                            \
    return rpc_.Serve(ctx, k##Method, this, &LeadService::Do##Method, request, response);    \
  }
  CRM_SERVE(CreateLead, CreateLeadRequest, v1::Lead)
  CRM_SERVE(GetLead, GetLeadRequest, v1::Lead)
  CRM_SERVE(ListLeads, ListLeadsRequest, v1::ListLeadsResponse)
  CRM_SERVE(UpdateLead, UpdateLeadRequest, v1::Lead)
  CRM_SERVE(DeleteLead, DeleteLeadRequest, google::protobuf::Empty)
  CRM_SERVE(DisqualifyLead, DisqualifyLeadRequest, v1::Lead)
  CRM_SERVE(ConvertLead, ConvertLeadRequest, v1::ConvertLeadResponse)
#undef CRM_SERVE

  grpc::ServerReadReactor<v1::ImportLeadsRequest>* ImportLeads(
      grpc::CallbackServerContext* ctx, v1::ImportLeadsResponse* response) override;

  // The handlers proper, synchronous: the RPC edge runs them on the executor, tests call them
  // directly.
  absl::Status DoCreateLead(const auth::Caller& caller, const v1::CreateLeadRequest& request,
                            v1::Lead* response);
  absl::Status DoGetLead(const auth::Caller& caller, const v1::GetLeadRequest& request,
                         v1::Lead* response);
  absl::Status DoListLeads(const auth::Caller& caller, const v1::ListLeadsRequest& request,
                           v1::ListLeadsResponse* response);
  absl::Status DoUpdateLead(const auth::Caller& caller, const v1::UpdateLeadRequest& request,
                            v1::Lead* response);
  absl::Status DoDeleteLead(const auth::Caller& caller, const v1::DeleteLeadRequest& request,
                            google::protobuf::Empty* response);
  absl::Status DoDisqualifyLead(const auth::Caller& caller,
                                const v1::DisqualifyLeadRequest& request, v1::Lead* response);
  absl::Status DoConvertLead(const auth::Caller& caller, const v1::ConvertLeadRequest& request,
                             v1::ConvertLeadResponse* response);
  // The import stream's messages, in order.
  absl::Status DoImportLeads(const auth::Caller& caller,
                             std::vector<v1::ImportLeadsRequest>& messages,
                             v1::ImportLeadsResponse* response);

  // The customer request a conversion of `lead` sends (its request_id derived from the lead,
  // the request and the caller, so a retry sends the same one).
  static customers::v1::CreateCustomerRequest CustomerRequestFor(const v1::Lead& lead,
                                                                 const std::string& owner,
                                                                 std::string_view actor);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  LeadStore& store_;
  CustomerDirectory& customers_;
  ProductCatalog& products_;
  const Options& options_;
};

}  // namespace crm::opportunities
