#include "services/opportunities/forecast_service.h"

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "libs/api/periods.h"
#include "services/opportunities/rules.h"

namespace crm::opportunities {
namespace {

absl::Status NotYours(std::string_view whose) {
  return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
               absl::StrCat("you may not see the numbers of ", std::string(whose)));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ForecastService::Owners(const records::Access& access,
                                                                 const Subject& subject) {
  const auth::Principal& me = access.principal();
  const bool admin = me.Is(auth::v1::ADMIN);
  if (subject.owner.empty() && subject.team.empty()) return std::vector<std::string>{me.user};
  if (!subject.owner.empty()) {
    if (subject.owner == me.user || admin ||
        (me.Is(auth::v1::SALES_MANAGER) && me.HasTeamMember(subject.owner))) {
      return std::vector<std::string>{subject.owner};
    }
    return NotYours(subject.owner);
  }
  if (!admin && !(me.Is(auth::v1::SALES_MANAGER) && me.Manages(subject.team))) {
    return NotYours(subject.team);
  }
  absl::StatusOr<std::vector<std::string>> members =
      users_.ActiveMembers(subject.team, access.caller().authorization);
  if (members.status().code() == absl::StatusCode::kUnavailable) {
    return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
                 "the team's members cannot be looked up right now; try again");
  }
  if (absl::IsNotFound(members.status())) return InvalidField("team", "is not an existing team");
  return members;
}

absl::Status ForecastService::DoSetQuota(const auth::Caller& caller,
                                         const v1::SetQuotaRequest& request, v1::Quota* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kSetQuota, OpportunityRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_quota()) return InvalidField("quota", "is required");
  const v1::Quota& quota = request.quota();
  Violations violations;
  api::FieldChecker check(violations, "quota");
  if (!api::ParseResourceId(quota.owner(), "users").ok()) {
    check.Add("owner", "must be a user name like \"users/42\"");
  }
  absl::StatusOr<api::Period> period = api::ParsePeriod(quota.period(), "quota.period");
  if (!period.ok()) check.Add("period", FieldViolations(period.status()).front().description);
  std::optional<int64_t> minor;
  if (!quota.has_amount()) {
    check.Add("amount", "is required");
  } else {
    minor = api::ToMinorUnits(quota.amount(), check, "amount");
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid quota"));
  // An admin sets anyone's (an active user's); a manager those of their teams' members.
  const auth::Principal& me = access.principal();
  if (me.Is(auth::v1::ADMIN)) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(quota.owner(), quota.owner(), "quota.owner"));
  } else if (!me.Is(auth::v1::SALES_MANAGER) || quota.owner() == me.user ||
             !me.HasTeamMember(quota.owner())) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "managers set the quotas of the members of their teams; their own is an admin's");
  }
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.SetQuota(quota.owner(), *period, quota.amount().currency_code(),
                                       *minor, access.actor(),
                                       db::KeyFor("SetQuota", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ForecastService::DoListQuotas(const auth::Caller& caller,
                                           const v1::ListQuotasRequest& request,
                                           v1::ListQuotasResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListQuotas, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(const Subject subject, ParseSubject(request.owner(), request.team()));
  if (!request.period().empty()) {
    CRM_RETURN_IF_ERROR(api::ParsePeriod(request.period(), "period").status());
  }
  CRM_ASSIGN_OR_RETURN(const std::vector<std::string> owners, Owners(access, subject));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::Quota> quotas, store_.ListQuotas(owners, request.period()));
  for (v1::Quota& q : quotas) *response->add_quotas() = std::move(q);
  return absl::OkStatus();
}

absl::Status ForecastService::DoGetForecast(const auth::Caller& caller,
                                            const v1::GetForecastRequest& request,
                                            v1::Forecast* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetForecast, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(const Subject subject, ParseSubject(request.owner(), request.team()));
  CRM_ASSIGN_OR_RETURN(const api::Period period, api::ParsePeriod(request.period(), "period"));
  CRM_ASSIGN_OR_RETURN(const std::vector<std::string> owners, Owners(access, subject));
  CRM_ASSIGN_OR_RETURN(*response, store_.Forecast(access, owners, period));
  return absl::OkStatus();
}

absl::Status ForecastService::DoGetPipelineSummary(const auth::Caller& caller,
                                                   const v1::GetPipelineSummaryRequest& request,
                                                   v1::PipelineSummary* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetPipelineSummary, OpportunityRules()));
  int64_t pipeline_id = 0;
  if (!request.pipeline().empty()) {
    CRM_ASSIGN_OR_RETURN(pipeline_id,
                         api::ParseResourceId(request.pipeline(), "pipelines", "pipeline"));
  }
  CRM_ASSIGN_OR_RETURN(const Subject subject, ParseSubject(request.owner(), request.team()));
  std::optional<std::vector<std::string>> owners;
  if (!subject.owner.empty() || !subject.team.empty()) {
    CRM_ASSIGN_OR_RETURN(owners, Owners(access, subject));
  }
  CRM_ASSIGN_OR_RETURN(*response, store_.Summary(access, pipeline_id, owners));
  return absl::OkStatus();
}

absl::Status ForecastService::DoListForecastSnapshots(
    const auth::Caller& caller, const v1::ListForecastSnapshotsRequest& request,
    v1::ListForecastSnapshotsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListForecastSnapshots, OpportunityRules()));
  CRM_ASSIGN_OR_RETURN(const Subject subject, ParseSubject(request.owner(), request.team()));
  CRM_ASSIGN_OR_RETURN(const api::Period period, api::ParsePeriod(request.period(), "period"));
  CRM_ASSIGN_OR_RETURN(const std::vector<std::string> owners, Owners(access, subject));
  CRM_ASSIGN_OR_RETURN(std::vector<v1::ForecastSnapshot> snapshots,
                       store_.Snapshots(owners, period));
  for (v1::ForecastSnapshot& s : snapshots) *response->add_snapshots() = std::move(s);
  return absl::OkStatus();
}

}  // namespace crm::opportunities
