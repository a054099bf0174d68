#include "services/opportunities/pipeline_service.h"

#include <set>

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kPipelines[] = "pipelines";

const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"display_name", "is_default", "stages"};
  return *paths;
}

}  // namespace

absl::Status PipelineService::DoCreatePipeline(const auth::Caller& caller,
                                               const v1::CreatePipelineRequest& request,
                                               v1::Pipeline* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kCreatePipeline));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_pipeline()) return InvalidField("pipeline", "is required");
  v1::Pipeline pipeline = request.pipeline();
  pipeline.clear_name();
  pipeline.clear_etag();
  pipeline.clear_create_time();
  pipeline.clear_update_time();
  for (v1::Stage& stage : *pipeline.mutable_stages()) stage.clear_name();
  CRM_RETURN_IF_ERROR(NormalizeAndValidatePipeline(pipeline, "pipeline"));
  const std::string& actor = caller.principal.ActingName();
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(pipeline, actor, db::KeyFor("CreatePipeline", request, actor)));
  return absl::OkStatus();
}

absl::Status PipelineService::DoGetPipeline(const auth::Caller& caller,
                                            const v1::GetPipelineRequest& request,
                                            v1::Pipeline* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kGetPipeline));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kPipelines, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(id));
  return absl::OkStatus();
}

absl::Status PipelineService::DoListPipelines(const auth::Caller& caller,
                                              const v1::ListPipelinesRequest& request,
                                              v1::ListPipelinesResponse* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kListPipelines));
  // Everyone sees the same pipelines, so tokens are not bound to a user.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), "", "", request.page_token(),
                                        PipelineStore::ListSpec(), page_tokens_, ""));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Pipeline> page, store_.List(query));
  for (v1::Pipeline& p : page.items) *response->add_pipelines() = std::move(p);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status PipelineService::DoUpdatePipeline(const auth::Caller& caller,
                                               const v1::UpdatePipelineRequest& request,
                                               v1::Pipeline* response) {
  CRM_RETURN_IF_ERROR(policy_.Check(caller.principal, kUpdatePipeline));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_pipeline(), request.pipeline(),
                                              request.has_update_mask(), request.update_mask(),
                                              kPipelines, "pipeline", UpdatablePaths()));
  auto mutate = [&](v1::Pipeline& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.pipeline(), &updated,
                                            UpdatablePaths()));
    return NormalizeAndValidatePipeline(updated, "pipeline");
  };
  const std::string& actor = caller.principal.ActingName();
  CRM_ASSIGN_OR_RETURN(*response, store_.Update(target.id, target.version, mutate, actor,
                                                db::KeyFor("UpdatePipeline", request, actor)));
  return absl::OkStatus();
}

}  // namespace crm::opportunities
