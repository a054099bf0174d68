#include "services/opportunities/validation.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/api/fields.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"
#include "libs/api/periods.h"

namespace crm::opportunities {
namespace {

// Campaign ids are keys other systems share: a restricted alphabet, no spaces.
void CheckCampaign(api::FieldChecker& check, std::string* campaign, std::string_view field) {
  *campaign = api::Trim(*campaign);
  if (campaign->size() > Limits::kShortText) {
    check.Add(field, absl::StrCat("must be at most ", Limits::kShortText, " characters"));
    return;
  }
  for (char c : *campaign) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.') {
      check.Add(field, "may hold only letters, digits, '_', '-' and '.'");
      return;
    }
  }
}

void CheckOwner(api::FieldChecker& check, std::string* owner) {
  check.Text(owner, "owner", Limits::kShortText, false);
  if (!owner->empty() && !owner->starts_with("users/")) {
    check.Add("owner", "must be a user name like \"users/42\"");
  }
}

bool ValidName(std::string_view name, std::string_view collection) {
  return api::ParseResourceId(name, collection).ok();
}

void CheckProductNames(api::FieldChecker& check,
                       google::protobuf::RepeatedPtrField<std::string>& products) {
  check.Count(products.size(), "products", Limits::kProducts, "products");
  std::set<std::string> seen;
  for (int i = 0; i < products.size(); ++i) {
    const std::string at = absl::StrCat("products[", i, "]");
    std::string* product = products.Mutable(i);
    *product = api::Trim(*product);
    if (!ValidName(*product, "products")) {
      check.Add(at, "must be a product name like \"products/7\"");
    } else if (!seen.insert(*product).second) {
      check.Add(at, "is listed twice");
    }
  }
}

}  // namespace

absl::Status NormalizeAndValidateLead(v1::Lead& lead, std::string_view prefix,
                                      std::string_view default_region) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(lead.mutable_company(), "company", Limits::kCompany, false);
  check.Text(lead.mutable_contact_name(), "contact_name", Limits::kPersonName, false);
  if (lead.company().empty() && lead.contact_name().empty()) {
    check.Add("company", "a lead needs a company or a contact name");
  }
  check.Text(lead.mutable_job_title(), "job_title", Limits::kPersonName, false);
  check.Text(lead.mutable_industry(), "industry", Limits::kShortText, false);
  check.Country(lead.mutable_country(), "country");
  check.Text(lead.mutable_province(), "province", Limits::kShortText, false);
  check.Text(lead.mutable_city(), "city", Limits::kShortText, false);
  if (!v1::Source_IsValid(lead.source())) check.Add("source", "is not a known source");
  CheckCampaign(check, lead.mutable_campaign(), "campaign");
  if (lead.status() == v1::LEAD_STATUS_UNSPECIFIED) lead.set_status(v1::NEW);
  if (!v1::LeadStatus_IsValid(lead.status())) {
    check.Add("status", "is not a known status");
  } else if (lead.status() == v1::CONVERTED) {
    check.Add("status", "is set by ConvertLead");
  } else if (lead.status() == v1::DISQUALIFIED) {
    check.Add("status", "is set by DisqualifyLead, with a reason");
  }
  CheckOwner(check, lead.mutable_owner());
  check.Text(lead.mutable_notes(), "notes", Limits::kNotes, false, /*multiline=*/true);
  check.Text(lead.mutable_external_id(), "external_id", Limits::kShortText, false);

  check.Count(lead.phones_size(), "phones", Limits::kContacts, "phones");
  const std::string region =
      lead.country().empty() ? std::string(default_region) : lead.country();
  for (int i = 0; i < lead.phones_size(); ++i) {
    check.Phone(lead.mutable_phones(i), absl::StrCat("phones[", i, "]"), region);
  }
  check.Count(lead.emails_size(), "emails", Limits::kContacts, "e-mails");
  for (int i = 0; i < lead.emails_size(); ++i) {
    check.Email(lead.mutable_emails(i), absl::StrCat("emails[", i, "]"), /*required=*/true);
  }
  return violations.ToStatus("invalid lead");
}

absl::Status NormalizeAndValidateImportOptions(v1::ImportOptions& options,
                                               std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  CheckCampaign(check, options.mutable_campaign(), "campaign");
  if (!v1::Source_IsValid(options.source())) check.Add("source", "is not a known source");
  return violations.ToStatus("invalid import options");
}

int LeadScore(const v1::Lead& lead) {
  int score = 0;
  if (!lead.company().empty()) score += 10;
  if (!lead.contact_name().empty()) score += 10;
  if (lead.phones_size() > 0) score += 10;
  if (lead.emails_size() > 0) score += 10;
  switch (lead.source()) {
    case v1::REFERRAL: score += 30; break;
    case v1::PARTNER: score += 25; break;
    case v1::WEBSITE:
    case v1::TRADE_SHOW: score += 20; break;
    case v1::CAMPAIGN: score += 15; break;
    case v1::SOCIAL_MEDIA: score += 10; break;
    case v1::COLD_CALL: score += 5; break;
    default: break;
  }
  switch (lead.status()) {
    case v1::CONTACTED: score += 10; break;
    case v1::QUALIFIED:
    case v1::CONVERTED: score += 25; break;
    default: break;
  }
  if (!lead.campaign().empty()) score += 5;
  return score;
}

void ClearOutputOnly(v1::Opportunity& o) {
  o.clear_name();
  o.clear_etag();
  o.clear_state();
  o.clear_probability_overridden();
  o.clear_close_date();
  o.clear_creator();
  o.clear_loss_reason();
  o.clear_lost_to();
  o.clear_lead();
  o.clear_customer_deleted();
  o.clear_stage_enter_time();
  o.clear_evaluation();
  o.clear_create_time();
  o.clear_update_time();
}

absl::Status NormalizeAndValidateProducts(google::protobuf::RepeatedPtrField<std::string>& products,
                                          std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  CheckProductNames(check, products);
  return violations.ToStatus("invalid products");
}

absl::Status NormalizeAndValidateOpportunity(v1::Opportunity& o, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(o.mutable_title(), "title", Limits::kTitle, true);
  if (o.customer().empty()) {
    check.Add("customer", "is required");
  } else if (!ValidName(o.customer(), "customers")) {
    check.Add("customer", "must be a customer name like \"customers/42\"");
  }
  if (!o.pipeline().empty() && !ValidName(o.pipeline(), "pipelines")) {
    check.Add("pipeline", "must be a pipeline name like \"pipelines/1\"");
  }
  if (!o.stage().empty() && !ParseStageName(o.stage(), "stage").ok()) {
    check.Add("stage", "must be a stage name like \"pipelines/1/stages/2\"");
  }
  if (o.has_amount()) {
    if (std::optional<int64_t> minor = api::ToMinorUnits(o.amount(), check, "amount")) {
      *o.mutable_amount() = api::FromMinorUnits(o.amount().currency_code(), *minor);
    }
  }
  if (o.has_probability() && (o.probability() < 0 || o.probability() > 100)) {
    check.Add("probability", "must be 0-100");
  }
  if (!v1::ForecastCategory_IsValid(o.forecast_category())) {
    check.Add("forecast_category", "is not a known forecast category");
  } else if (o.forecast_category() == v1::CLOSED && o.state() != v1::WON) {
    check.Add("forecast_category", "CLOSED belongs to won opportunities");
  }
  if (o.has_expected_close_date()) {
    if (absl::StatusOr<absl::CivilDay> day = api::FromDate(o.expected_close_date(), "x"); !day.ok()) {
      check.Add("expected_close_date", FieldViolations(day.status()).front().description);
    }
  }
  if (!v1::Source_IsValid(o.source())) check.Add("source", "is not a known source");
  CheckCampaign(check, o.mutable_campaign(), "campaign");
  CheckOwner(check, o.mutable_owner());
  check.Text(o.mutable_next_step(), "next_step", Limits::kNextStep, false);
  check.Text(o.mutable_description(), "description", Limits::kNotes, false, /*multiline=*/true);

  check.Count(o.competitors_size(), "competitors", Limits::kCompetitors, "competitors");
  for (int i = 0; i < o.competitors_size(); ++i) {
    v1::Competitor* c = o.mutable_competitors(i);
    const std::string at = absl::StrCat("competitors[", i, "]");
    check.Text(c->mutable_name(), at + ".name", Limits::kCompetitorName, true);
    check.Text(c->mutable_strengths(), at + ".strengths", Limits::kCompetitorText, false, true);
    check.Text(c->mutable_weaknesses(), at + ".weaknesses", Limits::kCompetitorText, false, true);
    if (!v1::ThreatLevel_IsValid(c->threat())) check.Add(at + ".threat", "is not a known level");
  }
  CheckProductNames(check, *o.mutable_products());
  if (o.has_last_activity_time() &&
      (o.last_activity_time().seconds() < 0 || o.last_activity_time().nanos() < 0 ||
       o.last_activity_time().nanos() > 999'999'999)) {
    check.Add("last_activity_time", "is not a valid time");
  }
  return violations.ToStatus("invalid opportunity");
}

absl::Status NormalizeAndValidatePipeline(v1::Pipeline& pipeline, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(pipeline.mutable_display_name(), "display_name", Limits::kPipelineName, true);
  const int count = pipeline.stages_size();
  if (count < Limits::kMinStages || count > Limits::kMaxStages) {
    check.Add("stages", absl::StrCat("must be ", Limits::kMinStages, "-", Limits::kMaxStages,
                                     " stages"));
  }
  int open = 0, won = 0, lost = 0;
  std::set<std::string> names;
  for (int i = 0; i < count; ++i) {
    v1::Stage* stage = pipeline.mutable_stages(i);
    const std::string at = absl::StrCat("stages[", i, "]");
    if (!stage->name().empty() && !ParseStageName(stage->name(), "x").ok()) {
      check.Add(at + ".name", "must be a stage name like \"pipelines/1/stages/2\"");
    }
    check.Text(stage->mutable_display_name(), at + ".display_name", Limits::kStageName, true);
    if (!stage->display_name().empty() &&
        !names.insert(absl::AsciiStrToLower(stage->display_name())).second) {
      check.Add(at + ".display_name", "another stage of the pipeline has this name");
    }
    if (stage->probability() < 0 || stage->probability() > 100) {
      check.Add(at + ".probability", "must be 0-100");
    }
    const v1::ForecastCategory category = stage->forecast_category();
    if (!v1::ForecastCategory_IsValid(category)) {
      check.Add(at + ".forecast_category", "is not a known forecast category");
      continue;
    }
    switch (stage->type()) {
      case v1::OPEN:
        ++open;
        if (category == v1::FORECAST_CATEGORY_UNSPECIFIED) stage->set_forecast_category(v1::PIPELINE);
        if (category == v1::CLOSED) {
          check.Add(at + ".forecast_category", "CLOSED belongs to the WON stage");
        }
        break;
      case v1::WON:
        ++won;
        if (stage->probability() != 100) check.Add(at + ".probability", "a WON stage is 100");
        if (category == v1::FORECAST_CATEGORY_UNSPECIFIED) stage->set_forecast_category(v1::CLOSED);
        if (stage->forecast_category() != v1::CLOSED) {
          check.Add(at + ".forecast_category", "a WON stage is CLOSED");
        }
        break;
      case v1::LOST:
        ++lost;
        if (stage->probability() != 0) check.Add(at + ".probability", "a LOST stage is 0");
        if (category == v1::FORECAST_CATEGORY_UNSPECIFIED) stage->set_forecast_category(v1::OMITTED);
        if (stage->forecast_category() != v1::OMITTED) {
          check.Add(at + ".forecast_category", "a LOST stage is OMITTED");
        }
        break;
      default:
        check.Add(at + ".type", "is required (OPEN, WON or LOST)");
    }
  }
  if (open == 0) check.Add("stages", "needs at least one OPEN stage");
  if (won != 1) check.Add("stages", "needs exactly one WON stage");
  if (lost != 1) check.Add("stages", "needs exactly one LOST stage");
  return violations.ToStatus("invalid pipeline");
}

absl::Status NormalizeAndValidateFollowUpRule(v1::FollowUpRule& rule, std::string_view prefix) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(rule.mutable_display_name(), "display_name", Limits::kRuleName, true);
  switch (rule.kind()) {
    case v1::STALE_IN_STAGE:
    case v1::NO_ACTIVITY:
      if (rule.days() < 1 || rule.days() > Limits::kMaxRuleDays) {
        check.Add("days", absl::StrCat("must be 1-", Limits::kMaxRuleDays));
      }
      break;
    case v1::CLOSE_DATE_PASSED:
      if (rule.days() != 0) check.Add("days", "is not used by CLOSE_DATE_PASSED");
      break;
    default:
      check.Add("kind", "is required (STALE_IN_STAGE, CLOSE_DATE_PASSED or NO_ACTIVITY)");
  }
  if (!rule.stage().empty()) {
    if (rule.kind() != v1::STALE_IN_STAGE) {
      check.Add("stage", "is used by STALE_IN_STAGE only");
    } else if (!ParseStageName(rule.stage(), "x").ok()) {
      check.Add("stage", "must be a stage name like \"pipelines/1/stages/2\"");
    }
  }
  return violations.ToStatus("invalid follow-up rule");
}

absl::StatusOr<std::string> ValidReason(std::string_view reason, std::string_view field) {
  Violations violations;
  api::FieldChecker check(violations, "");
  std::string text(reason);
  check.Text(&text, field, Limits::kReason, /*required=*/true);
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid reason"));
  return text;
}

absl::StatusOr<std::pair<int64_t, int64_t>> ParseStageName(std::string_view name,
                                                            std::string_view field) {
  const size_t split = name.find("/stages/");
  if (split == std::string_view::npos) {
    return InvalidField(field, "must be a stage name like \"pipelines/1/stages/2\"");
  }
  absl::StatusOr<int64_t> pipeline = api::ParseResourceId(name.substr(0, split), "pipelines", field);
  absl::StatusOr<int64_t> stage = api::ParseResourceId(name.substr(split + 1), "stages", field);
  if (!pipeline.ok() || !stage.ok()) {
    return InvalidField(field, "must be a stage name like \"pipelines/1/stages/2\"");
  }
  return std::make_pair(*pipeline, *stage);
}

std::string StageName(int64_t pipeline_id, int64_t stage_id) {
  return absl::StrCat("pipelines/", pipeline_id, "/stages/", stage_id);
}

absl::StatusOr<Subject> ParseSubject(std::string_view owner, std::string_view team) {
  if (!owner.empty() && !team.empty()) {
    return InvalidField("team", "give an owner or a team, not both");
  }
  if (!owner.empty()) CRM_RETURN_IF_ERROR(api::ParseResourceId(owner, "users", "owner").status());
  if (!team.empty()) CRM_RETURN_IF_ERROR(api::ParseResourceId(team, "teams", "team").status());
  return Subject{std::string(owner), std::string(team)};
}

}  // namespace crm::opportunities
