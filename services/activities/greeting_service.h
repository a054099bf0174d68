// crm.activities.v1.GreetingService: the rep's view of the greetings the scheduler plans —
// list (by the greetings' record rules, greeting_records.h), read, reword and skip one before
// it is sent. Request rules here; who sees which greeting and the state guards in the store.
#pragma once

#include "absl/time/time.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/greeting_records.h"

namespace crm::activities {

class GreetingService final : public v1::GreetingService::CallbackService {
 public:
#define CRM_GREETING_METHOD(name) "/crm.activities.v1.GreetingService/" #name
  static constexpr char kListUpcomingGreetings[] = CRM_GREETING_METHOD(ListUpcomingGreetings);
  static constexpr char kGetGreeting[] = CRM_GREETING_METHOD(GetGreeting);
  static constexpr char kUpdateGreeting[] = CRM_GREETING_METHOD(UpdateGreeting);
  static constexpr char kSkipGreeting[] = CRM_GREETING_METHOD(SkipGreeting);
#undef CRM_GREETING_METHOD

  // `company_zone` decides which day is "today", the list's default start.
  GreetingService(const service::Kit& kit, GreetingRecords& records, absl::TimeZone company_zone)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        records_(records),
        zone_(company_zone) {}

#define CRM_SERVE(Method, Request, Response)                                                  \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                          \
                                   const v1::Request* request, Response* response) override { \
    return rpc_.Serve(ctx, k##Method, this, &GreetingService::Do##Method, request, response); \
  }
  CRM_SERVE(ListUpcomingGreetings, ListUpcomingGreetingsRequest,
            v1::ListUpcomingGreetingsResponse)
  CRM_SERVE(GetGreeting, GetGreetingRequest, v1::Greeting)
  CRM_SERVE(UpdateGreeting, UpdateGreetingRequest, v1::Greeting)
  CRM_SERVE(SkipGreeting, SkipGreetingRequest, v1::Greeting)
#undef CRM_SERVE

  absl::Status DoListUpcomingGreetings(const auth::Caller& caller,
                                       const v1::ListUpcomingGreetingsRequest& request,
                                       v1::ListUpcomingGreetingsResponse* response);
  absl::Status DoGetGreeting(const auth::Caller& caller, const v1::GetGreetingRequest& request,
                             v1::Greeting* response);
  absl::Status DoUpdateGreeting(const auth::Caller& caller,
                                const v1::UpdateGreetingRequest& request, v1::Greeting* response);
  absl::Status DoSkipGreeting(const auth::Caller& caller, const v1::SkipGreetingRequest& request,
                              v1::Greeting* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  GreetingRecords& records_;
  const absl::TimeZone zone_;
};

}  // namespace crm::activities
