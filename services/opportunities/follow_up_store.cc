#include "services/opportunities/follow_up_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/opportunities/event_types.h"
#include "services/opportunities/follow_up_sql.h"
#include "libs/api/periods.h"
#include "services/opportunities/pipeline_store.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kRules[] = "followUpRules";
// Candidates read per query; a rule runs queries until one comes back short.
constexpr int64_t kFireBatch = 200;

absl::Status RuleNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "FOLLOW_UP_RULE_NOT_FOUND",
               absl::StrCat("followUpRules/", id, " does not exist"));
}

v1::FollowUpRule RuleFromRow(const db::Row& row) {
  v1::FollowUpRule r;
  r.set_name(api::ResourceName(kRules, row.Int(0)));
  r.set_etag(api::EtagFromVersion(row.Int(1)));
  r.set_display_name(row.Str(2));
  r.set_kind(static_cast<v1::FollowUpKind>(row.Int(3)));
  r.set_days(static_cast<int32_t>(row.Int(4)));
  if (row.Int(5) != 0) r.set_stage(StageName(row.Int(10), row.Int(5)));
  r.set_active(row.Int(6) != 0);
  r.set_creator(row.Str(7));
  *r.mutable_create_time() = TimestampFromDateTime(row.Str(8));
  *r.mutable_update_time() = TimestampFromDateTime(row.Str(9));
  return r;
}

v1::FollowUp FollowUpFromRow(const db::Row& row) {
  v1::FollowUp f;
  f.set_name(api::ResourceName("followUps", row.Int(0)));
  f.set_rule(api::ResourceName(kRules, row.Int(1)));
  f.set_rule_display_name(row.Str(2));
  f.set_kind(static_cast<v1::FollowUpKind>(row.Int(3)));
  f.set_opportunity(api::ResourceName("opportunities", row.Int(4)));
  f.set_opportunity_title(row.Str(5));
  f.set_owner(row.Str(6));
  *f.mutable_due_time() = TimestampFromDateTime(row.Str(7));
  f.set_reason(row.Str(8));
  return f;
}

const api::ResourceFields& RuleFields() {
  static const auto* fields = new api::ResourceFields({}, "r.id");
  return *fields;
}

const api::ResourceFields& DueFields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "owner", .column = "f.owner"},
          {.name = "opportunity", .column = "CONCAT('opportunities/', f.opportunity_id)"},
          {.name = "rule", .column = "CONCAT('followUpRules/', f.rule_id)"},
          {.name = "kind",
           .type = api::FieldType::kEnum,
           .column = "r.kind",
           .enum_values = api::EnumValues(*v1::FollowUpKind_descriptor())},
          {.name = "due_time",
           .type = api::FieldType::kTimestamp,
           .column = "f.due_time",
           .orderable = true},
      },
      "f.id");
  return *fields;
}

std::string ReasonOf(const v1::FollowUpRule& rule, const std::string& occurrence,
                     const std::string& stage_name) {
  switch (rule.kind()) {
    case v1::STALE_IN_STAGE:
      return absl::StrCat("no update for ", rule.days(), " days in ", stage_name);
    case v1::CLOSE_DATE_PASSED:
      return absl::StrCat("the expected close date ", occurrence, " has passed");
    default:
      return absl::StrCat("no activity for ", rule.days(), " days");
  }
}

}  // namespace

const api::ListSpec& FollowUpStore::RuleListSpec() {
  static const api::ListSpec spec{.fields = &RuleFields(), .default_order = ""};
  return spec;
}

const api::ListSpec& FollowUpStore::DueListSpec() {
  static const api::ListSpec spec{.fields = &DueFields(), .default_order = "due_time desc"};
  return spec;
}

absl::StatusOr<v1::FollowUpRule> FollowUpStore::ReadRule(db::Session& session, int64_t id,
                                                         bool lock) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(lock ? sql::kLockRule : sql::kSelectRule, {id}));
  if (rows.empty()) return RuleNotFound(id);
  return RuleFromRow(rows[0]);
}

absl::StatusOr<int64_t> FollowUpStore::StageOf(db::Session& session,
                                               const v1::FollowUpRule& rule) {
  if (rule.stage().empty()) return 0;
  CRM_ASSIGN_OR_RETURN(auto parts, ParseStageName(rule.stage(), "rule.stage"));
  absl::StatusOr<PipelineInfo> pipeline = PipelineStore::Load(session, parts.first);
  if (absl::IsNotFound(pipeline.status())) return InvalidField("rule.stage", "is not a stage");
  CRM_RETURN_IF_ERROR(pipeline.status());
  const StageInfo* stage = pipeline->Find(parts.second);
  if (stage == nullptr || stage->type != v1::OPEN) {
    return InvalidField("rule.stage", "must be an open stage of a pipeline");
  }
  return stage->id;
}

absl::StatusOr<v1::FollowUpRule> FollowUpStore::CreateRule(const v1::FollowUpRule& rule,
                                                           std::string_view actor,
                                                           const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::FollowUpRule>(
      pool_, key, [&](db::Transaction& tx, v1::FollowUpRule& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(int64_t stage_id, StageOf(tx, rule));
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsertRule, {rule.display_name(), int64_t{rule.kind()},
                                        int64_t{rule.days()}, stage_id, int64_t{rule.active()},
                                        std::string(actor), now, now}));
        CRM_ASSIGN_OR_RETURN(created, ReadRule(tx, rows.at(0).Int(0), /*lock=*/false));
        return events::Append(
            tx, {.type = kFollowUpRuleCreatedEvent, .resource = created.name(), .actor = actor},
            created);
      });
}

absl::StatusOr<v1::FollowUpRule> FollowUpStore::GetRule(int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return ReadRule(*session, id, /*lock=*/false);
}

absl::StatusOr<api::Page<v1::FollowUpRule>> FollowUpStore::ListRules(const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::FollowUpRule>(*session, sql::kSelectRuleColumns,
                                             sql::kRuleColumnCount, sql::kFromLiveRules, {}, query,
                                             RuleFromRow);
}

absl::StatusOr<v1::FollowUpRule> FollowUpStore::UpdateRule(int64_t id,
                                                           std::optional<int64_t> expected_version,
                                                           const Mutation& mutate,
                                                           std::string_view actor,
                                                           const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::FollowUpRule>(
      pool_, key, [&](db::Transaction& tx, v1::FollowUpRule& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const v1::FollowUpRule current, ReadRule(tx, id, /*lock=*/true));
        CRM_ASSIGN_OR_RETURN(int64_t version, api::VersionFromEtag(current.etag()));
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), version, expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        CRM_ASSIGN_OR_RETURN(int64_t stage_id, StageOf(tx, updated));
        std::vector<std::string> changed = api::ChangedPaths(current, updated);
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpdateRule,
                                       {updated.display_name(), int64_t{updated.days()}, stage_id,
                                        int64_t{updated.active()}, now, id})
                                .status());
        CRM_ASSIGN_OR_RETURN(updated, ReadRule(tx, id, /*lock=*/false));
        return events::Append(tx,
                              {.type = kFollowUpRuleUpdatedEvent,
                               .resource = updated.name(),
                               .actor = actor,
                               .changed_paths = std::move(changed)},
                              updated);
      });
}

absl::Status FollowUpStore::DeleteRule(int64_t id, std::optional<int64_t> expected_version,
                                       std::string_view actor, const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(const v1::FollowUpRule current, ReadRule(tx, id, true));
               CRM_ASSIGN_OR_RETURN(int64_t version, api::VersionFromEtag(current.etag()));
               CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), version, expected_version));
               const std::string now = db::FormatDateTime(clock_.Now());
               CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteRule, {now, now, id}).status());
               return events::Append(tx,
                                     {.type = kFollowUpRuleDeletedEvent,
                                      .resource = current.name(),
                                      .actor = actor},
                                     current);
             })
      .status();
}

absl::StatusOr<api::Page<v1::FollowUp>> FollowUpStore::ListDue(const records::Access& access,
                                                               const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::FollowUp>(
      *session, sql::kSelectFollowUpColumns, sql::kFollowUpColumnCount, sql::kFromFollowUpsDue,
      opportunities_.table().Rule(access, auth::Operation::kRead), query, FollowUpFromRow);
}

absl::StatusOr<int> FollowUpStore::Fire(absl::Time now, std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(sql::kActiveRules, {}));
  session.reset();
  int fired = 0;
  for (const db::Row& row : rows) {
    CRM_ASSIGN_OR_RETURN(int count, FireRule(RuleFromRow(row), now, actor));
    fired += count;
  }
  return fired;
}

absl::StatusOr<int> FollowUpStore::FireRule(const v1::FollowUpRule& rule, absl::Time now,
                                            std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(int64_t rule_id, api::ParseResourceId(rule.name(), kRules));
  int64_t stage_id = 0;
  if (!rule.stage().empty()) {
    CRM_ASSIGN_OR_RETURN(auto parts, ParseStageName(rule.stage(), "stage"));
    stage_id = parts.second;
  }
  const std::string now_text = db::FormatDateTime(now);
  const std::string cutoff = db::FormatDateTime(now - absl::Hours(24) * rule.days());
  const std::string yesterday = api::DateText(api::DayIn(now, zone_) - 1);
  int fired = 0;
  for (;;) {
    CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
    absl::StatusOr<db::Rows> candidates;
    switch (rule.kind()) {
      case v1::STALE_IN_STAGE:
        candidates = session->Query(sql::kStaleCandidates,
                                    {stage_id, stage_id, cutoff, rule_id, kFireBatch});
        break;
      case v1::CLOSE_DATE_PASSED:
        candidates = session->Query(sql::kCloseDateCandidates, {yesterday, rule_id, kFireBatch});
        break;
      default:
        candidates = session->Query(sql::kActivityCandidates, {cutoff, rule_id, kFireBatch});
    }
    CRM_RETURN_IF_ERROR(candidates.status());
    session.reset();
    for (const db::Row& candidate : *candidates) {
      const int64_t opportunity_id = candidate.Int(0);
      const std::string occurrence = candidate.Str(2);
      bool fired_now = false;
      CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
        fired_now = false;
        CRM_ASSIGN_OR_RETURN(
            uint64_t inserted,
            tx.Execute(sql::kFireFollowUp,
                       {rule_id, opportunity_id, occurrence, candidate.Str(1), now_text,
                        ReasonOf(rule, occurrence, candidate.Str(3))}));
        if (inserted == 0) return absl::OkStatus();  // fired already (another replica)
        CRM_ASSIGN_OR_RETURN(db::Rows read,
                             tx.Query(sql::kFollowUpByKey, {rule_id, opportunity_id, occurrence}));
        const v1::FollowUp follow_up = FollowUpFromRow(read.at(0));
        fired_now = true;
        return events::Append(tx,
                              {.type = kFollowUpDueEvent,
                               .resource = follow_up.opportunity(),
                               .actor = actor},
                              follow_up);
      }));
      if (fired_now) ++fired;
    }
    if (static_cast<int64_t>(candidates->size()) < kFireBatch) break;
  }
  return fired;
}

}  // namespace crm::opportunities
