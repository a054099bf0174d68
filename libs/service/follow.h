// Following other services' event feeds from a service made with the kit: a read model
// (analytics), references kept right (opportunities re-pointing merged customers), tasks from
// events (activities). Process::Follow builds the libs/events Consumer with this service's
// pool, own identity and peers, starts it with the server and stops it on drain, and serves
// crm.events.v1.ConsumerAdmin so an admin can see each feed and rewind or skip it.
//
//   MergeFollower handler(store);
//   process.Follow(handler, {{.service = "customers",
//                             .types = {"crm.customers.v1.CustomerMerged"}}});
#pragma once

#include <string>
#include <vector>

#include "crm/events/v1/events.grpc.pb.h"
#include "libs/events/consumer.h"
#include "libs/service/rpc.h"

namespace crm::service {

// One feed to follow: the producing service's name (services/services.list) and the event
// types wanted (empty: all).
struct FollowedFeed {
  std::string service;
  std::vector<std::string> types;
};

// crm.events.v1.ConsumerAdmin over this process's consumer (events.proto). Every service
// serves it, like its feed; one that follows nothing lists no feeds and knows none by name.
class ConsumerAdminService final : public events::v1::ConsumerAdmin::CallbackService {
 public:
  static constexpr char kListMethod[] = "/crm.events.v1.ConsumerAdmin/ListConsumerFeeds";
  static constexpr char kRewindMethod[] = "/crm.events.v1.ConsumerAdmin/RewindConsumerFeed";
  static constexpr char kSkipMethod[] = "/crm.events.v1.ConsumerAdmin/SkipConsumerFeedToEarliest";

  explicit ConsumerAdminService(Rpc& rpc) : rpc_(rpc) {}

  // Called by Process::Follow before the server starts.
  void set_consumer(events::Consumer* consumer) { consumer_ = consumer; }

  grpc::ServerUnaryReactor* ListConsumerFeeds(
      grpc::CallbackServerContext* ctx, const events::v1::ListConsumerFeedsRequest* request,
      events::v1::ListConsumerFeedsResponse* response) override {
    return rpc_.Serve(ctx, kListMethod, this, &ConsumerAdminService::List, request, response);
  }
  grpc::ServerUnaryReactor* RewindConsumerFeed(grpc::CallbackServerContext* ctx,
                                               const events::v1::RewindConsumerFeedRequest* request,
                                               events::v1::ConsumerFeed* response) override {
    return rpc_.Serve(ctx, kRewindMethod, this, &ConsumerAdminService::Rewind, request, response);
  }
  grpc::ServerUnaryReactor* SkipConsumerFeedToEarliest(
      grpc::CallbackServerContext* ctx,
      const events::v1::SkipConsumerFeedToEarliestRequest* request,
      events::v1::ConsumerFeed* response) override {
    return rpc_.Serve(ctx, kSkipMethod, this, &ConsumerAdminService::Skip, request, response);
  }

  absl::Status List(const auth::Caller& caller, const events::v1::ListConsumerFeedsRequest&,
                    events::v1::ListConsumerFeedsResponse* response);
  absl::Status Rewind(const auth::Caller& caller,
                      const events::v1::RewindConsumerFeedRequest& request,
                      events::v1::ConsumerFeed* response);
  absl::Status Skip(const auth::Caller& caller,
                    const events::v1::SkipConsumerFeedToEarliestRequest& request,
                    events::v1::ConsumerFeed* response);

 private:
  absl::Status Describe(std::string_view feed, events::v1::ConsumerFeed* out) const;
  absl::Status Known(std::string_view feed) const;

  Rpc& rpc_;
  events::Consumer* consumer_ = nullptr;
};

}  // namespace crm::service
