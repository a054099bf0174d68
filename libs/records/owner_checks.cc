#include "libs/records/owner_checks.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::records {

void OwnerChecks::Prepare(std::string_view owner) {
  if (owner.empty()) return;
  auto it = verdicts_.find(owner);
  if (it != verdicts_.end() && it->second.code() != absl::StatusCode::kUnavailable) return;
  absl::Status verdict = access_.CheckNewOwner(owner, field_);
  if (it != verdicts_.end()) {
    it->second = std::move(verdict);
  } else {
    verdicts_.emplace(std::string(owner), std::move(verdict));
  }
}

absl::Status OwnerChecks::Check(std::string_view from, std::string_view to) const {
  CRM_RETURN_IF_ERROR(access_.CheckOwnerRule(from, to, field_));
  auto it = verdicts_.find(to);
  if (it == verdicts_.end()) {
    return absl::InternalError(
        absl::StrCat("the owner ", std::string(to), " was not looked up before the write"));
  }
  return it->second;
}

}  // namespace crm::records
