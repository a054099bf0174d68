// crm.opportunities.v1.PipelineService: everyone reads pipelines, admins configure them (the
// policy table). SQL lives in PipelineStore.
#pragma once

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/opportunities/pipeline_store.h"

namespace crm::opportunities {

class PipelineService final : public v1::PipelineService::CallbackService {
 public:
#define CRM_PIPELINE_METHOD(name) "/crm.opportunities.v1.PipelineService/" #name
  static constexpr char kCreatePipeline[] = CRM_PIPELINE_METHOD(CreatePipeline);
  static constexpr char kGetPipeline[] = CRM_PIPELINE_METHOD(GetPipeline);
  static constexpr char kListPipelines[] = CRM_PIPELINE_METHOD(ListPipelines);
  static constexpr char kUpdatePipeline[] = CRM_PIPELINE_METHOD(UpdatePipeline);
#undef CRM_PIPELINE_METHOD

  PipelineService(const service::Kit& kit, PipelineStore& store)
      : rpc_(kit.rpc),
        policy_(kit.authorizer.policy()),
        page_tokens_(kit.page_tokens),
        store_(store) {}

#define CRM_SERVE(Method, Request, Response)                                                 \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request, \
                                   Response* response) override {                            \
    return rpc_.Serve(ctx, k##Method, this, &PipelineService::Do##Method, request, response); \
  }
  CRM_SERVE(CreatePipeline, CreatePipelineRequest, v1::Pipeline)
  CRM_SERVE(GetPipeline, GetPipelineRequest, v1::Pipeline)
  CRM_SERVE(ListPipelines, ListPipelinesRequest, v1::ListPipelinesResponse)
  CRM_SERVE(UpdatePipeline, UpdatePipelineRequest, v1::Pipeline)
#undef CRM_SERVE

  absl::Status DoCreatePipeline(const auth::Caller& caller,
                                const v1::CreatePipelineRequest& request, v1::Pipeline* response);
  absl::Status DoGetPipeline(const auth::Caller& caller, const v1::GetPipelineRequest& request,
                             v1::Pipeline* response);
  absl::Status DoListPipelines(const auth::Caller& caller,
                               const v1::ListPipelinesRequest& request,
                               v1::ListPipelinesResponse* response);
  absl::Status DoUpdatePipeline(const auth::Caller& caller,
                                const v1::UpdatePipelineRequest& request, v1::Pipeline* response);

 private:
  service::Rpc& rpc_;
  const auth::Policy& policy_;
  const api::PageTokenCodec& page_tokens_;
  PipelineStore& store_;
};

}  // namespace crm::opportunities
