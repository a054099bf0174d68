// WatchNotifications over real gRPC (the service on a loopback port, real tokens) against a
// real MariaDB schema: a watch sends the caller's notifications written after it began, not
// older ones and not another's; one opened `after` a notification resumes there; the drain
// ends every watch with SERVER_DRAINING; bad requests are refused before anything is read.
// Nothing waits on time: the test waits for the stream's initial metadata (the watch has its
// starting point) and then on the stream itself.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "crm/orders/v1/orders.pb.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/service_testing.h"

namespace crm::activities {
namespace {

class NotificationWatchTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    testing::ServiceTest::SetUp();
    watchers_.Start();
    stub_ = v1::NotificationService::NewStub(test_->ServeOnLoopback({notification_service_.get()}));
  }
  void TearDown() override { watchers_.Stop(); }

  // OrderStatusChanged of orders/`order` owned by `owner` to `to`, by the orders service.
  absl::Status StatusChanged(const std::string& event_id, int64_t order, const std::string& owner,
                             orders::v1::OrderStatus to) {
    orders::v1::StatusChangeEvent change;
    change.mutable_order()->set_name(absl::StrCat("orders/", order));
    change.mutable_order()->set_owner(owner);
    change.set_to_status(to);
    return Deliver(event_id, kOrderStatusChangedEvent, change, change.order().name(),
                   "services/orders");
  }

  struct Watch {
    std::unique_ptr<grpc::ClientContext> ctx = std::make_unique<grpc::ClientContext>();
    std::unique_ptr<grpc::ClientReader<v1::Notification>> reader;
  };
  // A watch as `who`, open once its starting point is fixed.
  Watch Open(const auth::Caller& who, const std::string& after = "") {
    Watch watch;
    watch.ctx->AddMetadata("authorization", test_->signer().Bearer(who.principal));
    v1::WatchNotificationsRequest request;
    request.set_after(after);
    watch.reader = stub_->WatchNotifications(watch.ctx.get(), request);
    watch.reader->WaitForInitialMetadata();
    return watch;
  }

  std::unique_ptr<v1::NotificationService::Stub> stub_;
};

TEST_F(NotificationWatchTest, AWatchSendsTheCallersNewNotificationsAndResumesAfterOne) {
  ASSERT_TRUE(StatusChanged("orders.crm/1", 7, "users/11", orders::v1::CONFIRMED).ok());
  Watch watch = Open(rep_);

  // Another's first, then the rep's: the watch sends only the rep's, and not the older one.
  ASSERT_TRUE(StatusChanged("orders.crm/2", 8, "users/21", orders::v1::SHIPPED).ok());
  ASSERT_TRUE(StatusChanged("orders.crm/3", 7, "users/11", orders::v1::SHIPPED).ok());
  v1::Notification first;
  ASSERT_TRUE(watch.reader->Read(&first));
  EXPECT_EQ(first.title(), "Order orders/7 is SHIPPED");
  EXPECT_EQ(first.kind(), v1::ORDER_STATUS_CHANGED);
  ASSERT_TRUE(StatusChanged("orders.crm/4", 7, "users/11", orders::v1::DELIVERED).ok());
  v1::Notification second;
  ASSERT_TRUE(watch.reader->Read(&second));
  EXPECT_EQ(second.title(), "Order orders/7 is DELIVERED");

  // A client that lost its stream watches again after the last one it received.
  Watch resumed = Open(rep_, first.name());
  v1::Notification again;
  ASSERT_TRUE(resumed.reader->Read(&again));
  EXPECT_EQ(again.name(), second.name());

  // The drain ends every watch, telling the client to watch again.
  watchers_.Stop();
  for (Watch* w : {&watch, &resumed}) {
    v1::Notification none;
    EXPECT_FALSE(w->reader->Read(&none));
    grpc::Status ended = w->reader->Finish();
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ErrorReason(FromGrpcStatus(ended)), "SERVER_DRAINING");
  }
  // And no new watch is opened while draining.
  Watch late = Open(rep_);
  EXPECT_EQ(late.reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(NotificationWatchTest, ABadRequestOrNoTokenIsRefusedAtOnce) {
  v1::WatchNotificationsRequest request;
  request.set_after("tasks/3");
  grpc::ClientContext bad;
  bad.AddMetadata("authorization", test_->signer().Bearer(rep_.principal));
  v1::Notification n;
  auto reader = stub_->WatchNotifications(&bad, request);
  EXPECT_FALSE(reader->Read(&n));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext anonymous;
  reader = stub_->WatchNotifications(&anonymous, {});
  EXPECT_FALSE(reader->Read(&n));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(NotificationWatchTest, ACancelledWatchEnds) {
  Watch watch = Open(rep_);
  watch.ctx->TryCancel();
  v1::Notification none;
  EXPECT_FALSE(watch.reader->Read(&none));
  EXPECT_EQ(watch.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace crm::activities
