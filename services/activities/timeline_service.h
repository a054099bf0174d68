// crm.activities.v1.TimelineService: one customer's history (its activities and what the other
// services' feeds said happened to it), for whoever may read the customer.
#pragma once

#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/clients.h"
#include "services/activities/timeline_store.h"

namespace crm::activities {

class TimelineService final : public v1::TimelineService::CallbackService {
 public:
  static constexpr char kGetCustomerTimeline[] =
      "/crm.activities.v1.TimelineService/GetCustomerTimeline";

  TimelineService(const service::Kit& kit, TimelineStore& store, CustomerDirectory& customers)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        customers_(customers) {}

  grpc::ServerUnaryReactor* GetCustomerTimeline(
      grpc::CallbackServerContext* ctx, const v1::GetCustomerTimelineRequest* request,
      v1::GetCustomerTimelineResponse* response) override {
    return rpc_.Serve(ctx, kGetCustomerTimeline, this, &TimelineService::DoGetCustomerTimeline,
                      request, response);
  }

  absl::Status DoGetCustomerTimeline(const auth::Caller& caller,
                                     const v1::GetCustomerTimelineRequest& request,
                                     v1::GetCustomerTimelineResponse* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  TimelineStore& store_;
  CustomerDirectory& customers_;
};

}  // namespace crm::activities
