// crm.activities.v1.NotificationService: the caller's own inbox. Every role may call it, and
// each call is about the caller's notifications only (the recipient is the caller, always).
#pragma once

#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/delivery_store.h"
#include "services/activities/notification_preferences.h"
#include "services/activities/notification_store.h"
#include "services/activities/notification_watch.h"

namespace crm::activities {

class NotificationService final : public v1::NotificationService::CallbackService {
 public:
#define CRM_NOTIFICATION_METHOD(name) "/crm.activities.v1.NotificationService/" #name
  static constexpr char kListNotifications[] = CRM_NOTIFICATION_METHOD(ListNotifications);
  static constexpr char kMarkNotificationsRead[] = CRM_NOTIFICATION_METHOD(MarkNotificationsRead);
  static constexpr char kWatchNotifications[] = CRM_NOTIFICATION_METHOD(WatchNotifications);
  static constexpr char kGetNotificationPreferences[] =
      CRM_NOTIFICATION_METHOD(GetNotificationPreferences);
  static constexpr char kUpdateNotificationPreferences[] =
      CRM_NOTIFICATION_METHOD(UpdateNotificationPreferences);
  static constexpr char kSetNotificationWebhook[] = CRM_NOTIFICATION_METHOD(SetNotificationWebhook);
  static constexpr char kGetNotificationWebhook[] = CRM_NOTIFICATION_METHOD(GetNotificationWebhook);
  static constexpr char kDeleteNotificationWebhook[] =
      CRM_NOTIFICATION_METHOD(DeleteNotificationWebhook);
#undef CRM_NOTIFICATION_METHOD

  // `watchers` keeps the open WatchNotifications calls (Process::Run it); `deliveries` the
  // webhook endpoints.
  NotificationService(const service::Kit& kit, NotificationStore& store,
                      NotificationWatchers& watchers, NotificationPreferenceStore& preferences,
                      DeliveryStore& deliveries)
      : rpc_(kit.rpc),
        page_tokens_(kit.page_tokens),
        clock_(kit.clock),
        store_(store),
        watchers_(watchers),
        preferences_(preferences),
        deliveries_(deliveries) {}

#define CRM_SERVE(Method, Request, Response)                                                      \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* request,  \
                                   Response* response) override {                                 \
    return rpc_.Serve(ctx, k##Method, this, &NotificationService::Do##Method, request, response); \
  }
  CRM_SERVE(ListNotifications, ListNotificationsRequest, v1::ListNotificationsResponse)
  CRM_SERVE(MarkNotificationsRead, MarkNotificationsReadRequest, v1::MarkNotificationsReadResponse)
  CRM_SERVE(GetNotificationPreferences, GetNotificationPreferencesRequest,
            v1::NotificationPreferences)
  CRM_SERVE(UpdateNotificationPreferences, UpdateNotificationPreferencesRequest,
            v1::NotificationPreferences)
  CRM_SERVE(SetNotificationWebhook, SetNotificationWebhookRequest, v1::NotificationWebhook)
  CRM_SERVE(GetNotificationWebhook, GetNotificationWebhookRequest, v1::NotificationWebhook)
  CRM_SERVE(DeleteNotificationWebhook, DeleteNotificationWebhookRequest, google::protobuf::Empty)
#undef CRM_SERVE

  // ---- Notification delivery: a reactor of its own (notification_watch.h), which holds no
  // executor thread while it waits.
  grpc::ServerWriteReactor<v1::Notification>* WatchNotifications(
      grpc::CallbackServerContext* ctx, const v1::WatchNotificationsRequest* request) override;

  absl::Status DoListNotifications(const auth::Caller& caller,
                                   const v1::ListNotificationsRequest& request,
                                   v1::ListNotificationsResponse* response);
  absl::Status DoMarkNotificationsRead(const auth::Caller& caller,
                                       const v1::MarkNotificationsReadRequest& request,
                                       v1::MarkNotificationsReadResponse* response);
  // ---- Notification delivery: the caller's own preferences.
  absl::Status DoGetNotificationPreferences(const auth::Caller& caller,
                                            const v1::GetNotificationPreferencesRequest& request,
                                            v1::NotificationPreferences* response);
  absl::Status DoUpdateNotificationPreferences(
      const auth::Caller& caller, const v1::UpdateNotificationPreferencesRequest& request,
      v1::NotificationPreferences* response);
  // ---- Delivery by webhook (notification_webhooks.cc): the endpoint of the caller, or of
  // `user` for an admin.
  absl::Status DoSetNotificationWebhook(const auth::Caller& caller,
                                        const v1::SetNotificationWebhookRequest& request,
                                        v1::NotificationWebhook* response);
  absl::Status DoGetNotificationWebhook(const auth::Caller& caller,
                                        const v1::GetNotificationWebhookRequest& request,
                                        v1::NotificationWebhook* response);
  absl::Status DoDeleteNotificationWebhook(const auth::Caller& caller,
                                           const v1::DeleteNotificationWebhookRequest& request,
                                           google::protobuf::Empty* response);

 private:
  service::Rpc& rpc_;
  const api::PageTokenCodec& page_tokens_;
  const Clock& clock_;
  NotificationStore& store_;
  NotificationWatchers& watchers_;
  NotificationPreferenceStore& preferences_;
  DeliveryStore& deliveries_;
};

}  // namespace crm::activities
