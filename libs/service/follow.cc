#include "libs/service/follow.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::service {

absl::Status ConsumerAdminService::Known(std::string_view feed) const {
  if (consumer_ != nullptr) {
    for (const std::string& name : consumer_->FeedNames()) {
      if (name == feed) return absl::OkStatus();
    }
  }
  return absl::NotFoundError(
      absl::StrCat("this service follows no feed named \"", std::string(feed), "\""));
}

absl::Status ConsumerAdminService::Describe(std::string_view feed,
                                            events::v1::ConsumerFeed* out) const {
  CRM_ASSIGN_OR_RETURN(events::FeedStatus status, consumer_->GetStatus(feed));
  out->set_consumer(consumer_->name());
  out->set_feed(std::string(feed));
  out->set_state(absl::AsciiStrToUpper(std::string(events::FeedStateName(status.state))));
  out->set_cursor(status.cursor);
  out->set_head_sequence(status.head_sequence);
  out->set_earliest_sequence(status.earliest_sequence);
  out->set_applied(status.applied);
  if (!status.last_error.ok()) out->set_last_error(std::string(status.last_error.message()));
  return absl::OkStatus();
}

absl::Status ConsumerAdminService::List(const auth::Caller& caller,
                                        const events::v1::ListConsumerFeedsRequest&,
                                        events::v1::ListConsumerFeedsResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kListMethod));
  if (consumer_ == nullptr) return absl::OkStatus();
  for (const std::string& feed : consumer_->FeedNames()) {
    CRM_RETURN_IF_ERROR(Describe(feed, response->add_feeds()));
  }
  return absl::OkStatus();
}

absl::Status ConsumerAdminService::Rewind(const auth::Caller& caller,
                                          const events::v1::RewindConsumerFeedRequest& request,
                                          events::v1::ConsumerFeed* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kRewindMethod));
  CRM_RETURN_IF_ERROR(Known(request.feed()));
  CRM_RETURN_IF_ERROR(consumer_->Rewind(request.feed()));
  return Describe(request.feed(), response);
}

absl::Status ConsumerAdminService::Skip(
    const auth::Caller& caller, const events::v1::SkipConsumerFeedToEarliestRequest& request,
    events::v1::ConsumerFeed* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kSkipMethod));
  CRM_RETURN_IF_ERROR(Known(request.feed()));
  CRM_RETURN_IF_ERROR(consumer_->SkipToEarliest(request.feed()));
  return Describe(request.feed(), response);
}

}  // namespace crm::service
