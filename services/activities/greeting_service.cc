#include "services/activities/greeting_service.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "libs/api/fields.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

constexpr char kGreetings[] = "greetings";
constexpr size_t kSubjectChars = 300;
constexpr size_t kBodyChars = 10000;
constexpr size_t kReasonChars = 500;

const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{"subject", "body"};
  return *paths;
}

// "YYYY-MM-DD" into its day; nullopt when empty. INVALID_ARGUMENT on `field` otherwise.
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(const std::string& text,
                                                          std::string_view field) {
  if (text.empty()) return std::nullopt;
  absl::CivilDay day;
  // ParseCivilTime also takes "2026-12-2" and normalizes "2026-02-30"; only the exact form
  // of a valid day round-trips.
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return InvalidField(field, "must be a date \"YYYY-MM-DD\"");
  }
  return day;
}

}  // namespace

absl::Status GreetingService::DoListUpcomingGreetings(
    const auth::Caller& caller, const v1::ListUpcomingGreetingsRequest& request,
    v1::ListUpcomingGreetingsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kListUpcomingGreetings, GreetingRules()));
  if (!v1::Greeting::State_IsValid(request.state())) {
    return InvalidField("state", "is not a greeting state");
  }
  CRM_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> start,
                       OptionalDay(request.start_date(), "start_date"));
  CRM_ASSIGN_OR_RETURN(std::optional<absl::CivilDay> end,
                       OptionalDay(request.end_date(), "end_date"));
  if (!start) start = absl::ToCivilDay(clock_.Now(), zone_);
  if (end && *end < *start) return InvalidField("end_date", "is before start_date");
  // The request's filters as the list's filter, so that the page token is bound to them (and
  // to the day "today" was): a token used with other filters is INVALID_PAGE_TOKEN.
  std::vector<std::string> terms = {
      absl::StrCat("send_date >= \"", absl::FormatCivilTime(*start), "\"")};
  if (end) terms.push_back(absl::StrCat("send_date <= \"", absl::FormatCivilTime(*end), "\""));
  if (request.state() != v1::Greeting::STATE_UNSPECIFIED) {
    terms.push_back(absl::StrCat("state = ", v1::Greeting::State_Name(request.state())));
  }
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), absl::StrJoin(terms, " AND "), "",
                                        request.page_token(), GreetingRecords::ListSpec(),
                                        page_tokens_, access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Greeting> page, records_.List(access, query));
  for (v1::Greeting& g : page.items) *response->add_greetings() = std::move(g);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status GreetingService::DoGetGreeting(const auth::Caller& caller,
                                            const v1::GetGreetingRequest& request,
                                            v1::Greeting* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kGetGreeting, GreetingRules()));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kGreetings, "name"));
  CRM_ASSIGN_OR_RETURN(*response, records_.Get(access, id));
  return absl::OkStatus();
}

absl::Status GreetingService::DoUpdateGreeting(const auth::Caller& caller,
                                               const v1::UpdateGreetingRequest& request,
                                               v1::Greeting* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kUpdateGreeting, GreetingRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_greeting(), request.greeting(),
                                              request.has_update_mask(), request.update_mask(),
                                              kGreetings, "greeting", UpdatablePaths()));
  // The new wording is checked before anything is locked: only the fields the mask names.
  v1::Greeting given = request.greeting();
  Violations violations;
  api::FieldChecker check(violations, "greeting");
  std::optional<std::string> subject, body;
  if (api::MaskNames(request.update_mask(), "subject")) {
    check.Text(given.mutable_subject(), "subject", kSubjectChars, /*required=*/true);
    subject = given.subject();
  }
  if (api::MaskNames(request.update_mask(), "body")) {
    check.Text(given.mutable_body(), "body", kBodyChars, /*required=*/true, /*multiline=*/true);
    body = given.body();
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid greeting"));
  CRM_ASSIGN_OR_RETURN(*response,
                       records_.Edit(access, target.id, target.version, subject, body,
                                     db::KeyFor("UpdateGreeting", request, access.actor())));
  return absl::OkStatus();
}

absl::Status GreetingService::DoSkipGreeting(const auth::Caller& caller,
                                             const v1::SkipGreetingRequest& request,
                                             v1::Greeting* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kSkipGreeting, GreetingRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kGreetings, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  std::string reason = request.reason();
  Violations violations;
  api::FieldChecker(violations, "").Text(&reason, "reason", kReasonChars, /*required=*/false);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid reason"));
  CRM_ASSIGN_OR_RETURN(*response,
                       records_.Skip(access, id, version, reason,
                                     db::KeyFor("SkipGreeting", request, access.actor())));
  return absl::OkStatus();
}

}  // namespace crm::activities
