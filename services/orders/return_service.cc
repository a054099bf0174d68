#include "services/orders/return_service.h"

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/orders/validation.h"

namespace crm::orders {
namespace {

constexpr char kCollection[] = "returns";

}  // namespace

absl::Status ReturnService::Create(const auth::Caller& caller,
                                   const v1::CreateReturnRequest& request, v1::Return* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_return_()) return InvalidField("return", "is required");
  v1::Return input;
  input.set_order(request.return_().order());
  input.set_requested_resolution(request.return_().requested_resolution());
  input.set_reason(request.return_().reason());
  for (const v1::ReturnLine& line : request.return_().lines()) {
    v1::ReturnLine* kept = input.add_lines();
    kept->set_line_number(line.line_number());
    kept->set_quantity(line.quantity());
  }
  CRM_RETURN_IF_ERROR(NormalizeAndValidateReturn(input, "return"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Create(access, input,
                                                db::KeyFor("CreateReturn", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ReturnService::Get(const auth::Caller& caller, const v1::GetReturnRequest& request,
                                v1::Return* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status ReturnService::List(const auth::Caller& caller, const v1::ListReturnsRequest& request,
                                 v1::ListReturnsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMethod));
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, ReturnStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Return> page, store_.List(access, query));
  for (v1::Return& r : page.items) *response->add_returns() = std::move(r);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ReturnService::Advance(const auth::Caller& caller, const char* method,
                                    const std::string& name, const std::string& request_id,
                                    ReturnStore::StepInput input, bool comment_required,
                                    const google::protobuf::Message& request,
                                    v1::Return* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, method));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request_id, /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(name, kCollection, "name"));
  CRM_RETURN_IF_ERROR(ValidateComment(&input.comment, "comment", comment_required));
  const std::string_view method_name =
      std::string_view(method).substr(std::string_view(method).rfind('/') + 1);
  CRM_ASSIGN_OR_RETURN(*response, store_.Advance(access, id, input,
                                                 db::KeyFor(method_name, request, access.actor())));
  return absl::OkStatus();
}

absl::Status ReturnService::Approve(const auth::Caller& caller,
                                    const v1::ApproveReturnRequest& request, v1::Return* response) {
  return Advance(caller, kApproveMethod, request.name(), request.request_id(),
                 {.step = ReturnStore::Step::kApprove, .comment = request.comment()}, false,
                 request, response);
}

absl::Status ReturnService::Reject(const auth::Caller& caller,
                                   const v1::RejectReturnRequest& request, v1::Return* response) {
  return Advance(caller, kRejectMethod, request.name(), request.request_id(),
                 {.step = ReturnStore::Step::kReject, .comment = request.comment()}, true, request,
                 response);
}

absl::Status ReturnService::Receive(const auth::Caller& caller,
                                    const v1::ReceiveReturnRequest& request, v1::Return* response) {
  ReturnStore::StepInput input{.step = ReturnStore::Step::kReceive, .comment = request.comment()};
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::ReturnLine& line = request.lines(i);
    if (line.line_number() < 1 || line.quantity() < 0) {
      return InvalidField(absl::StrCat("lines[", i, "]"),
                          "needs a line_number and a quantity of zero or more");
    }
    input.received.emplace_back(line.line_number(), line.quantity());
  }
  return Advance(caller, kReceiveMethod, request.name(), request.request_id(), std::move(input),
                 false, request, response);
}

absl::Status ReturnService::Resolve(const auth::Caller& caller,
                                    const v1::ResolveReturnRequest& request, v1::Return* response) {
  if (!v1::ReturnResolution_IsValid(request.resolution())) {
    return InvalidField("resolution", "is not REFUND or REPLACEMENT");
  }
  return Advance(caller, kResolveMethod, request.name(), request.request_id(),
                 {.step = ReturnStore::Step::kResolve,
                  .comment = request.comment(),
                  .resolution = request.resolution()},
                 false, request, response);
}

}  // namespace crm::orders
