// NotificationService's webhook endpoints: where a user's WEBHOOK deliveries go
// (delivery_job.h sends them). The caller's own; an admin's for anyone.
#include <optional>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/auth/token.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"
#include "services/activities/notification_service.h"

namespace crm::activities {
namespace {

constexpr size_t kMaxUrl = 2000;
constexpr size_t kMinSecret = 16;
constexpr size_t kMaxSecret = 200;
constexpr int kSecretBytes = 32;

// Whose endpoint `user` names for `caller`: the caller when empty; another user's only for
// an admin.
absl::StatusOr<std::string> EndpointOwner(const auth::Caller& caller, const std::string& user) {
  const std::string& me = caller.principal.ActingName();
  if (user.empty() || user == me) return me;
  CRM_RETURN_IF_ERROR(api::ParseResourceId(user, "users", "user").status());
  if (!caller.principal.Is(auth::v1::ADMIN)) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "only an admin sets another user's webhook");
  }
  return user;
}

// An absolute http(s) URL with a host, of printable ASCII without spaces.
absl::Status CheckUrl(const std::string& url) {
  if (url.empty() || url.size() > kMaxUrl) {
    return InvalidField("url", absl::StrCat("required, at most ", kMaxUrl, " characters"));
  }
  for (char c : url) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return InvalidField("url", "printable ASCII without spaces (percent-encode the rest)");
    }
  }
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return InvalidField("url", "must start with http:// or https://");
  }
  const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':' || host.find('@') != std::string_view::npos) {
    return InvalidField("url", "needs a host (and no user or password in it)");
  }
  return absl::OkStatus();
}

absl::Status CheckSecret(const std::string& secret) {
  if (secret.empty()) return absl::OkStatus();  // the server makes one
  if (secret.size() < kMinSecret || secret.size() > kMaxSecret) {
    return InvalidField("secret", absl::StrCat(kMinSecret, " to ", kMaxSecret, " characters"));
  }
  for (char c : secret) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return InvalidField("secret", "printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status NoWebhook(const std::string& owner) {
  return Error(absl::StatusCode::kNotFound, "WEBHOOK_NOT_FOUND",
               absl::StrCat(owner, " has no notification webhook"));
}

}  // namespace

absl::Status NotificationService::DoSetNotificationWebhook(
    const auth::Caller& caller, const v1::SetNotificationWebhookRequest& request,
    v1::NotificationWebhook* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kSetNotificationWebhook));
  CRM_ASSIGN_OR_RETURN(const std::string owner, EndpointOwner(caller, request.user()));
  CRM_RETURN_IF_ERROR(CheckUrl(request.url()));
  CRM_RETURN_IF_ERROR(CheckSecret(request.secret()));
  const std::string secret =
      request.secret().empty() ? auth::RandomToken(kSecretBytes) : request.secret();
  CRM_RETURN_IF_ERROR(deliveries_.SetWebhook(owner, request.url(), secret));
  CRM_ASSIGN_OR_RETURN(std::optional<WebhookEndpoint> stored, deliveries_.GetWebhook(owner));
  if (!stored.has_value()) return NoWebhook(owner);  // deleted at once by another call
  response->set_user(owner);
  response->set_url(stored->url);
  response->set_secret(stored->secret);  // the only answer that shows it
  *response->mutable_update_time() = ToTimestamp(stored->update_time);
  return absl::OkStatus();
}

absl::Status NotificationService::DoGetNotificationWebhook(
    const auth::Caller& caller, const v1::GetNotificationWebhookRequest& request,
    v1::NotificationWebhook* response) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kGetNotificationWebhook));
  CRM_ASSIGN_OR_RETURN(const std::string owner, EndpointOwner(caller, request.user()));
  CRM_ASSIGN_OR_RETURN(std::optional<WebhookEndpoint> stored, deliveries_.GetWebhook(owner));
  if (!stored.has_value()) return NoWebhook(owner);
  response->set_user(owner);
  response->set_url(stored->url);
  *response->mutable_update_time() = ToTimestamp(stored->update_time);
  return absl::OkStatus();
}

absl::Status NotificationService::DoDeleteNotificationWebhook(
    const auth::Caller& caller, const v1::DeleteNotificationWebhookRequest& request,
    google::protobuf::Empty*) {
  CRM_RETURN_IF_ERROR(rpc_.Allow(caller, kDeleteNotificationWebhook));
  CRM_ASSIGN_OR_RETURN(const std::string owner, EndpointOwner(caller, request.user()));
  CRM_ASSIGN_OR_RETURN(const bool deleted, deliveries_.DeleteWebhook(owner));
  return deleted ? absl::OkStatus() : NoWebhook(owner);
}

}  // namespace crm::activities
