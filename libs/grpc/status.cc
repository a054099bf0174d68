#include "libs/grpc/status.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace crm {
namespace {

constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kRetryInfoUrl[] = "type.googleapis.com/google.rpc.RetryInfo";
constexpr std::string_view kTypeUrlPrefix = "type.googleapis.com/";

std::string DefaultReason(absl::StatusCode code) {
  // absl's names are already the canonical UPPER_SNAKE spelling of the code.
  return absl::AsciiStrToUpper(absl::StatusCodeToString(code));
}

}  // namespace

absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message) {
  absl::Status status(code, std::string(message));
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status InvalidArgument(std::string_view message, std::vector<FieldViolation> violations) {
  absl::Status status = Error(absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT", message);
  google::rpc::BadRequest bad;
  for (auto& v : violations) {
    auto* fv = bad.add_field_violations();
    fv->set_field(std::move(v.field));
    fv->set_description(std::move(v.description));
  }
  status.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string_view field, std::string_view description) {
  return InvalidArgument(std::string(field) + ": " + std::string(description),
                         {{std::string(field), std::string(description)}});
}

std::string ErrorReason(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  if (!payload) return "";
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return "";
  return info.reason();
}

absl::Status WithErrorMetadata(absl::Status status, std::string_view key, std::string_view value) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  if (auto payload = status.GetPayload(kErrorInfoUrl)) info.ParseFromString(std::string(*payload));
  if (info.reason().empty()) info.set_reason(DefaultReason(status.code()));
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::string ErrorMetadata(const absl::Status& status, std::string_view key) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  google::rpc::ErrorInfo info;
  if (!payload || !info.ParseFromString(std::string(*payload))) return "";
  auto it = info.metadata().find(std::string(key));
  return it == info.metadata().end() ? "" : it->second;
}

std::vector<FieldViolation> FieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestUrl);
  if (!payload) return out;
  google::rpc::BadRequest bad;
  if (!bad.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : bad.field_violations()) out.push_back({fv.field(), fv.description()});
  return out;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo retry;
  const int64_t millis = std::max<int64_t>(0, absl::ToInt64Milliseconds(delay));
  retry.mutable_retry_delay()->set_seconds(millis / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
  status.SetPayload(kRetryInfoUrl, absl::Cord(retry.SerializeAsString()));
  return status;
}

absl::Duration RetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoUrl);
  google::rpc::RetryInfo retry;
  if (!payload || !retry.ParseFromString(std::string(*payload))) return absl::ZeroDuration();
  return absl::Seconds(retry.retry_delay().seconds()) +
         absl::Nanoseconds(retry.retry_delay().nanos());
}

absl::Status Violations::ToStatus(std::string_view message) const {
  if (items_.empty()) return absl::OkStatus();
  std::string full(message);
  for (const auto& v : items_) full += "; " + v.field + ": " + v.description;
  return InvalidArgument(full, items_);
}

grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(std::string(status.message()));

  google::rpc::ErrorInfo info;
  if (auto payload = status.GetPayload(kErrorInfoUrl)) info.ParseFromString(std::string(*payload));
  if (info.reason().empty()) info.set_reason(DefaultReason(status.code()));
  if (info.domain().empty()) info.set_domain(std::string(domain));
  rpc_status.add_details()->PackFrom(info);
  if (auto payload = status.GetPayload(kBadRequestUrl)) {
    google::rpc::BadRequest bad;
    if (bad.ParseFromString(std::string(*payload))) rpc_status.add_details()->PackFrom(bad);
  }
  if (auto payload = status.GetPayload(kRetryInfoUrl)) {
    google::rpc::RetryInfo retry;
    if (retry.ParseFromString(std::string(*payload))) rpc_status.add_details()->PackFrom(retry);
  }
  // Any other typed detail (e.g. an upstream service's, passed on) travels as it came.
  status.ForEachPayload([&](absl::string_view url_view, const absl::Cord& payload) {
    const std::string_view url(url_view.data(), url_view.size());
    if (!url.starts_with(kTypeUrlPrefix) || url == kErrorInfoUrl || url == kBadRequestUrl ||
        url == kRetryInfoUrl) {
      return;
    }
    google::protobuf::Any* any = rpc_status.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(payload));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      rpc_status.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rpc_status;
  if (status.error_details().empty() || !rpc_status.ParseFromString(status.error_details())) {
    return out;
  }
  for (const auto& any : rpc_status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      out.SetPayload(kErrorInfoUrl, absl::Cord(any.value()));
    } else if (any.Is<google::rpc::BadRequest>()) {
      out.SetPayload(kBadRequestUrl, absl::Cord(any.value()));
    } else if (any.Is<google::rpc::RetryInfo>()) {
      out.SetPayload(kRetryInfoUrl, absl::Cord(any.value()));
    } else if (std::string_view(any.type_url()).starts_with(kTypeUrlPrefix)) {
      // Kept under its type URL, so a service that passes the error on passes it whole.
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

absl::Status FromPeer(const grpc::Status& status, std::string_view peer,
                      std::string_view unavailable_reason, PeerErrors pass_on) {
  return FromPeer(FromGrpcStatus(status), peer, unavailable_reason, pass_on);
}

absl::Status FromPeer(absl::Status status, std::string_view peer,
                      std::string_view unavailable_reason, PeerErrors pass_on) {
  if (status.ok()) return status;
  if (IsTransient(status)) {
    absl::Status unavailable =
        Error(absl::StatusCode::kUnavailable, unavailable_reason,
              absl::StrCat(std::string(peer), " cannot be reached right now; try again"));
    // The peer's own estimate of when it takes calls again is the client's best one too.
    const absl::Duration delay = RetryDelay(status);
    return delay > absl::ZeroDuration() ? WithRetryDelay(std::move(unavailable), delay)
                                        : unavailable;
  }
  if (pass_on == PeerErrors::kAll || absl::IsNotFound(status)) return status;
  return Error(absl::StatusCode::kInternal, "PEER_REFUSED",
               absl::StrCat(std::string(peer), " refused the call: ", status.message()));
}

}  // namespace crm
