// GetStaffRanking's handler (report_service.h): request checks, who is
// ranked for this caller (staff_ranking.h RankedPeople), the ranking.
#include <algorithm>

#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "services/analytics/report_service.h"

namespace crm::analytics {
namespace {

absl::Status ReadRankingQuery(const v1::GetStaffRankingRequest& request, RankingQuery& query,
                              std::string& team) {
  Violations violations;
  ReadDays(request.has_start_date(), request.start_date(), request.has_end_date(),
           request.end_date(), violations, query.first, query.last);
  if (!request.team().empty()) {
    if (api::ParseResourceId(request.team(), "teams").ok()) {
      team = request.team();
    } else {
      violations.Add("team", "must be \"teams/{id}\"");
    }
  }
  if (request.currency_code().empty()) {
    violations.Add("currency_code", "is required: the currency of revenue and quota");
  } else if (!api::WellFormedCurrency(request.currency_code())) {
    violations.Add("currency_code", "must be an ISO 4217 code such as \"CNY\"");
  } else {
    query.currency = request.currency_code();
  }
  query.rank_by = request.rank_by();
  if (!v1::RankingMetric_IsValid(query.rank_by)) {
    violations.Add("rank_by",
                   "must be RANK_BY_REVENUE, RANK_BY_WON_DEALS, RANK_BY_NEW_CUSTOMERS, "
                   "RANK_BY_LEADS_CONVERTED, RANK_BY_ACTIVITIES, RANK_BY_ORDER_COMPLETION_RATE "
                   "or RANK_BY_QUOTA_ATTAINMENT");
  } else if (query.rank_by == v1::RANK_BY_UNSPECIFIED) {
    query.rank_by = v1::RANK_BY_REVENUE;
  }
  return violations.ToStatus();
}

}  // namespace

absl::Status ReportService::DoGetStaffRanking(const auth::Caller& caller,
                                              const v1::GetStaffRankingRequest& request,
                                              v1::StaffRanking* response) {
  RankingQuery query;
  std::string team;
  CRM_RETURN_IF_ERROR(ReadRankingQuery(request, query, team));
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetStaffRanking, FigureRules()));
  const auth::Principal& me = access.principal();
  RankedPeople people;
  switch (access.rules().ScopeFor(me, auth::Operation::kRead)) {
    case auth::Scope::kOwn: {
      // A rep is ranked among their own team, read as this service (a rep may not list it),
      // and sees only their own row. Without a roster (no service identity) they rank alone.
      if (!team.empty() && team != me.team) {
        return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                     "a sales rep is ranked among their own team only");
      }
      std::vector<std::string> members;
      if (!me.team.empty() && roster_ != nullptr) {
        CRM_ASSIGN_OR_RETURN(members, roster_->ActiveMembers(me.team));
      }
      if (std::find(members.begin(), members.end(), me.user) == members.end()) {
        members.push_back(me.user);
      }
      people.people = std::move(members);
      people.apply_rule = false;
      people.only = me.user;
      break;
    }
    case auth::Scope::kTeam: {
      // A manager: a team of theirs (the auth service refuses another), else themself and
      // the members of every team they manage.
      std::vector<std::string> members;
      if (!team.empty()) {
        CRM_ASSIGN_OR_RETURN(members, users_.ActiveMembers(team, caller.authorization));
      } else {
        members = me.team_members;
        members.push_back(me.user);
      }
      std::erase_if(members,
                    [&](const std::string& m) { return !access.Can(auth::Operation::kRead, m); });
      people.people = std::move(members);
      break;
    }
    case auth::Scope::kAll:
      if (!team.empty()) {
        CRM_ASSIGN_OR_RETURN(people.people, users_.ActiveMembers(team, caller.authorization));
      }
      break;
    default:
      people.people = std::vector<std::string>();  // sees no figures: nobody
      break;
  }
  CRM_ASSIGN_OR_RETURN(*response, rankings_.Rank(access, people, query));
  return absl::OkStatus();
}

}  // namespace crm::analytics
