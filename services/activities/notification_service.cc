#include "services/activities/notification_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"

// No record rules here: a notification is its recipient's alone, whatever the role (a
// manager's team does not widen it), so the caller is the condition of every statement.
namespace crm::activities {
namespace {

constexpr int kMaxNames = 1000;

}  // namespace

absl::Status NotificationService::DoListNotifications(const auth::Caller& caller,
                                                      const v1::ListNotificationsRequest& request,
                                                      v1::ListNotificationsResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kListNotifications));
  const std::string& me = caller.principal.ActingName();
  // unread_only as the list's filter, so that a page token is bound to it like any List's.
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), request.unread_only() ? "read = false" : "", "",
                       request.page_token(), NotificationStore::ListSpec(), page_tokens_, me));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Notification> page, store_.List(me, query));
  for (v1::Notification& n : page.items) *response->add_notifications() = std::move(n);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  CRM_ASSIGN_OR_RETURN(const int64_t unread, store_.CountUnread(me));
  response->set_unread_count(unread);
  return absl::OkStatus();
}

absl::Status NotificationService::DoMarkNotificationsRead(
    const auth::Caller& caller, const v1::MarkNotificationsReadRequest& request,
    v1::MarkNotificationsReadResponse* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kMarkNotificationsRead));
  const std::string& me = caller.principal.ActingName();
  const absl::Time now = clock_.Now();
  if (request.names().empty() == !request.has_up_to()) {
    return InvalidField("names", "give the names to mark, or up_to (not both)");
  }
  int64_t marked = 0;
  if (request.has_up_to()) {
    CRM_ASSIGN_OR_RETURN(marked, store_.MarkReadUpTo(me, FromTimestamp(request.up_to()), now));
  } else {
    if (request.names_size() > kMaxNames) {
      return InvalidField("names", absl::StrCat("at most ", kMaxNames, " at once"));
    }
    std::vector<int64_t> ids;
    for (int i = 0; i < request.names_size(); ++i) {
      CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.names(i), "notifications",
                                                            absl::StrCat("names[", i, "]")));
      ids.push_back(id);
    }
    CRM_ASSIGN_OR_RETURN(marked, store_.MarkRead(me, ids, now));
  }
  response->set_marked_count(marked);
  return absl::OkStatus();
}

// ---- Notification delivery

grpc::ServerWriteReactor<v1::Notification>* NotificationService::WatchNotifications(
    grpc::CallbackServerContext* ctx, const v1::WatchNotificationsRequest* request) {
  // On the gRPC thread: the token, the policy row and the request, none of which blocks.
  absl::StatusOr<auth::Caller> caller = rpc_.Authorize(*ctx, kWatchNotifications);
  absl::Status refused = caller.status();
  std::string me;
  std::optional<int64_t> after;
  if (refused.ok()) {
    refused = rpc_.Allow(*caller, kWatchNotifications);
    me = caller->principal.ActingName();
  }
  if (refused.ok() && !request->after().empty()) {
    absl::StatusOr<int64_t> id = api::ParseResourceId(request->after(), "notifications", "after");
    if (id.ok()) {
      after = *id;
    } else {
      refused = id.status();
    }
  }
  return new NotificationWatch(watchers_, store_, rpc_.executor(), rpc_.domain(),
                               std::move(refused), std::move(me), after);
}

absl::Status NotificationService::DoGetNotificationPreferences(
    const auth::Caller& caller, const v1::GetNotificationPreferencesRequest&,
    v1::NotificationPreferences* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kGetNotificationPreferences));
  CRM_ASSIGN_OR_RETURN(*response, preferences_.Get(caller.principal.ActingName()));
  return absl::OkStatus();
}

absl::Status NotificationService::DoUpdateNotificationPreferences(
    const auth::Caller& caller, const v1::UpdateNotificationPreferencesRequest& request,
    v1::NotificationPreferences* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kUpdateNotificationPreferences));
  CRM_ASSIGN_OR_RETURN(*response,
                       preferences_.Update(caller.principal.ActingName(), request, clock_.Now()));
  return absl::OkStatus();
}

}  // namespace crm::activities
