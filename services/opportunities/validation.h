// Input rules for leads, opportunities, pipelines and follow-up rules: what a valid record is
// and the normal form it is stored in. The limits are the ones documented in
// proto/crm/opportunities/v1/opportunities.proto. Every violation is reported at once, with
// paths under `prefix` ("lead.phones[1]").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "crm/opportunities/v1/opportunities.pb.h"

namespace crm::opportunities {

struct Limits {
  static constexpr int kCompany = 200;
  static constexpr int kPersonName = 100;
  static constexpr int kShortText = 64;  // industry, province, city, campaign, external id
  static constexpr int kNotes = 4000;
  static constexpr int kContacts = 10;   // phones, e-mails
  static constexpr int kReason = 500;
  static constexpr int kTitle = 200;
  static constexpr int kNextStep = 255;
  static constexpr int kCompetitors = 10;
  static constexpr int kCompetitorName = 100;
  static constexpr int kCompetitorText = 1000;
  static constexpr int kProducts = 20;
  static constexpr int kPipelineName = 100;
  static constexpr int kStageName = 64;
  static constexpr int kMinStages = 3;
  static constexpr int kMaxStages = 30;
  static constexpr int kRuleName = 100;
  static constexpr int kMaxRuleDays = 365;
  static constexpr int kImportRows = 10'000;
};

// Normalises a lead (trimmed text, E.164 phones, lower-case e-mail domains, an upper-case
// country) and checks it; status NEW when unset. `default_region` reads national phone numbers
// of a lead without a country. CONVERTED and DISQUALIFIED are refused: other methods set them.
absl::Status NormalizeAndValidateLead(v1::Lead& lead, std::string_view prefix,
                                      std::string_view default_region);

// The campaign and source an import gives rows without their own.
absl::Status NormalizeAndValidateImportOptions(v1::ImportOptions& options, std::string_view prefix);

// The lead score, 0-100 (LEAD SCORE in the proto).
int LeadScore(const v1::Lead& lead);

// Clears what clients do not set on an opportunity (name, etag, state, creator, times, ...),
// keeping the stage and pipeline a create may name.
void ClearOutputOnly(v1::Opportunity& opportunity);

// Normalises and checks products of interest on their own (an update that names them).
absl::Status NormalizeAndValidateProducts(google::protobuf::RepeatedPtrField<std::string>& products,
                                          std::string_view prefix);

// Normalises and checks an opportunity's input fields (not the stage, which the store checks
// against its pipeline).
absl::Status NormalizeAndValidateOpportunity(v1::Opportunity& opportunity,
                                             std::string_view prefix);

// Normalises and checks a pipeline; unset forecast categories become the type's default
// (PIPELINE, CLOSED, OMITTED).
absl::Status NormalizeAndValidatePipeline(v1::Pipeline& pipeline, std::string_view prefix);

absl::Status NormalizeAndValidateFollowUpRule(v1::FollowUpRule& rule, std::string_view prefix);

// A reason people type (disqualify, loss): trimmed, 1-500 characters. INVALID_ARGUMENT on
// `field`.
absl::StatusOr<std::string> ValidReason(std::string_view reason, std::string_view field);

// "pipelines/{p}/stages/{s}" → {p, s}; INVALID_ARGUMENT on `field`.
absl::StatusOr<std::pair<int64_t, int64_t>> ParseStageName(std::string_view name,
                                                            std::string_view field);
std::string StageName(int64_t pipeline_id, int64_t stage_id);

// "users/{id}" or "teams/{id}" subjects of forecasts and quotas: exactly one of the two, or
// neither (the caller). INVALID_ARGUMENT otherwise.
struct Subject {
  std::string owner;  // "users/{id}"
  std::string team;   // "teams/{id}"
};
absl::StatusOr<Subject> ParseSubject(std::string_view owner, std::string_view team);

}  // namespace crm::opportunities
