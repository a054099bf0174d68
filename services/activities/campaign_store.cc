#include "services/activities/campaign_store.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/api/money.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/events/payload.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/activities/campaign_sql.h"
#include "services/activities/event_types.h"
#include "services/activities/links.h"

namespace crm::activities {
namespace {

constexpr char kCampaigns[] = "campaigns";

absl::Status NotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "CAMPAIGN_NOT_FOUND",
               absl::StrCat(api::ResourceName(kCampaigns, id),
                            " does not exist or you do not take part in it"));
}

// Minor units of money the service has validated.
int64_t Minor(const common::v1::Money& money) {
  return events::CheckedMinorUnits(money).value_or(0);
}

bool HasMoney(const common::v1::Money& money) { return !money.currency_code().empty(); }

v1::Campaign FromRow(const db::Row& row) {
  v1::Campaign c;
  c.set_name(api::ResourceName(kCampaigns, row.Int(0)));
  c.set_etag(api::EtagFromVersion(row.Int(1)));
  c.set_code(row.Str(2));
  c.set_title(row.Str(3));
  c.set_type(static_cast<v1::Campaign::Type>(row.Int(4)));
  c.set_goal(row.Str(5));
  *c.mutable_start_time() = TimestampFromDateTime(row.Str(6));
  *c.mutable_end_time() = TimestampFromDateTime(row.Str(7));
  c.set_place(row.Str(8));
  const std::string& currency = row.Str(9);
  *c.mutable_budget() = api::FromMinorUnits(currency, row.Int(10));
  c.set_customer_filter(row.Str(11));
  c.mutable_expected()->set_leads(row.Int(12));
  c.mutable_expected()->set_opportunities(row.Int(13));
  *c.mutable_expected()->mutable_revenue() = api::FromMinorUnits(currency, row.Int(14));
  c.set_state(static_cast<v1::Campaign::State>(row.Int(15)));
  if (!row.IsNull(16)) *c.mutable_actual_cost() = api::FromMinorUnits(currency, row.Int(16));
  c.set_actual_attendance(static_cast<int32_t>(row.Int(17)));
  c.set_notes(row.Str(18));
  c.set_creator(row.Str(19));
  *c.mutable_create_time() = TimestampFromDateTime(row.Str(20));
  *c.mutable_update_time() = TimestampFromDateTime(row.Str(21));
  if (!row.IsNull(22)) *c.mutable_close_time() = TimestampFromDateTime(row.Str(22));
  db::SplitLines(row.Str(23), c.mutable_participants());
  db::SplitLines(row.Str(24), c.mutable_target_customers());
  return c;
}

v1::CampaignFeedback FeedbackFromRow(const db::Row& row) {
  v1::CampaignFeedback f;
  f.set_name(absl::StrCat(api::ResourceName(kCampaigns, row.Int(1)), "/feedback/", row.Int(0)));
  f.set_customer(api::ResourceName("customers", row.Int(2)));
  f.set_participant(row.Str(3));
  f.set_attended(row.Int(4) != 0);
  f.set_rating(static_cast<int32_t>(row.Int(5)));
  f.set_feedback(row.Str(6));
  if (!row.IsNull(7)) *f.mutable_contact_time() = TimestampFromDateTime(row.Str(7));
  *f.mutable_update_time() = TimestampFromDateTime(row.Str(8));
  return f;
}

// The campaigns the caller may read, as a condition on "c".
api::SqlFragment ReadRule(const CampaignCaller& caller) {
  if (caller.planner) return {"TRUE", {}};
  return {sql::kCampaignParticipantRule, {caller.actor}};
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "code", .column = "c.code"},
          {.name = "title", .column = "c.title"},
          {.name = "type",
           .type = api::FieldType::kEnum,
           .column = "c.type",
           .enum_values = api::EnumValues(*v1::Campaign::Type_descriptor())},
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "c.state",
           .enum_values = api::EnumValues(*v1::Campaign::State_descriptor())},
          {.name = "start_time",
           .type = api::FieldType::kTimestamp,
           .column = "c.start_time",
           .orderable = true},
          {.name = "end_time",
           .type = api::FieldType::kTimestamp,
           .column = "c.end_time",
           .orderable = true},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "c.create_time",
           .orderable = true},
          {.name = "creator", .column = "c.creator"},
      },
      "c.id");
  return *fields;
}

// The columns kUpdateCampaign sets, before update_time.
std::vector<db::Value> Columns(const v1::Campaign& c) {
  db::Value actual_cost;
  if (HasMoney(c.actual_cost())) actual_cost = Minor(c.actual_cost());
  return {c.title(),
          int64_t{c.type()},
          c.goal(),
          db::FormatDateTime(FromTimestamp(c.start_time())),
          db::FormatDateTime(FromTimestamp(c.end_time())),
          c.place(),
          c.budget().currency_code(),
          Minor(c.budget()),
          c.customer_filter(),
          c.expected().leads(),
          c.expected().opportunities(),
          Minor(c.expected().revenue()),
          int64_t{c.state()},
          actual_cost,
          int64_t{c.actual_attendance()},
          c.notes()};
}

}  // namespace

absl::Status CheckCampaignLink(db::Transaction& tx, const CampaignCaller& caller, int64_t id,
                               absl::Time activity_time, std::string_view field) {
  const api::SqlFragment rule = ReadRule(caller);
  std::vector<db::Value> params = {db::FormatDateTime(activity_time), id};
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(absl::StrCat(sql::kLinkableCampaign, " AND (",
                                                            rule.sql, ") LOCK IN SHARE MODE"),
                                               params));
  if (rows.empty()) return InvalidField(field, "is not a campaign you take part in or plan");
  const auto state = static_cast<v1::Campaign::State>(rows[0].Int(0));
  const bool within_window = rows[0].Int(1) != 0;
  if (state == v1::Campaign::CANCELLED) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "CAMPAIGN_CLOSED",
        absl::StrCat(api::ResourceName(kCampaigns, id), " is CANCELLED and takes no activities"));
  }
  if (state == v1::Campaign::CLOSED && !within_window) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "CAMPAIGN_CLOSED",
        absl::StrCat(api::ResourceName(kCampaigns, id),
                     " is CLOSED and takes only activities within its start and end time"));
  }
  return absl::OkStatus();
}

v1::CampaignEffectiveness Effectiveness(const v1::Campaign& campaign,
                                        const CampaignResults& results) {
  v1::CampaignEffectiveness e;
  e.set_campaign(campaign.name());
  e.set_state(campaign.state());
  *e.mutable_expected() = campaign.expected();
  *e.mutable_budget() = campaign.budget();
  e.set_actual_attendance(campaign.actual_attendance());
  e.set_leads(results.leads);
  e.set_new_customers(results.customers);
  e.set_opportunities(results.opportunities);
  e.set_won_opportunities(results.won);
  e.set_feedback_count(results.feedback);
  e.set_attended_count(results.attended);
  e.set_average_rating_x100(results.average_rating_x100);
  e.set_planned_visits(campaign.target_customers_size());
  e.set_visited_target_customers(results.visited_targets);
  e.set_visits(results.visits);
  e.set_other_activities(results.other_activities);
  e.set_unplanned_visited_customers(results.unplanned_visited);
  const std::string& currency = campaign.budget().currency_code();
  // The budget's currency first, then the others in code order.
  auto same = results.won_revenue.find(currency);
  const int64_t revenue = same == results.won_revenue.end() ? 0 : same->second;
  if (same != results.won_revenue.end()) {
    *e.add_won_revenue() = api::FromMinorUnits(currency, revenue);
  }
  for (const auto& [code, minor] : results.won_revenue) {
    if (code != currency) *e.add_won_revenue() = api::FromMinorUnits(code, minor);
  }
  if (!HasMoney(campaign.actual_cost())) return e;
  *e.mutable_actual_cost() = campaign.actual_cost();
  // The cost figures and ROI by libs/campaigns' rules (the analytics report's too).
  const campaigns::CostFigures figures = campaigns::WorkOutCosts(
      Minor(campaign.actual_cost()), results.leads, results.opportunities, revenue);
  if (figures.cost_per_lead) {
    *e.mutable_cost_per_lead() = api::FromMinorUnits(currency, *figures.cost_per_lead);
  }
  if (figures.cost_per_opportunity) {
    *e.mutable_cost_per_opportunity() =
        api::FromMinorUnits(currency, *figures.cost_per_opportunity);
  }
  if (figures.roi_basis_points) e.set_roi_basis_points(*figures.roi_basis_points);
  return e;
}

const api::ListSpec& CampaignStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "start_time"};
  return spec;
}

absl::StatusOr<db::Row> CampaignStore::Read(db::Session& session, const CampaignCaller& caller,
                                            int64_t id, bool lock) {
  const api::SqlFragment rule = ReadRule(caller);
  std::vector<db::Value> params = {id};
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session.Query(absl::StrCat(sql::kSelectCampaignById, " AND (", rule.sql, ")",
                                                  lock ? " FOR UPDATE" : ""),
                                     params));
  if (rows.empty()) return NotFound(id);
  return std::move(rows[0]);
}

absl::Status CampaignStore::WriteChildren(db::Transaction& tx, int64_t id,
                                          const v1::Campaign& campaign) {
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteCampaignParticipants, {id}).status());
  for (int i = 0; i < campaign.participants_size(); ++i) {
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertCampaignParticipant, {id, campaign.participants(i), int64_t{i}})
            .status());
  }
  CRM_RETURN_IF_ERROR(tx.Execute(sql::kDeleteCampaignTargets, {id}).status());
  for (int i = 0; i < campaign.target_customers_size(); ++i) {
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kInsertCampaignTarget,
                   {id, LinkId(campaign.target_customers(i), "customers"), int64_t{i}})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Campaign> CampaignStore::Create(const CampaignCaller& caller,
                                                   const v1::Campaign& campaign,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Campaign>(
      pool_, key, [&](db::Transaction& tx, v1::Campaign& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Rows taken, tx.Query(sql::kCampaignWithCode, {campaign.code()}));
        if (!taken.empty()) {
          return Error(absl::StatusCode::kAlreadyExists, "CAMPAIGN_CODE_TAKEN",
                       absl::StrCat(api::ResourceName(kCampaigns, taken[0].Int(0)),
                                    " has the code ", campaign.code()));
        }
        const std::string now = db::FormatDateTime(clock_.Now());
        std::vector<db::Value> params = {campaign.code()};
        std::vector<db::Value> columns = Columns(campaign);
        params.insert(params.end(), columns.begin(), columns.end());
        params.insert(params.end(), {caller.actor, now, now});
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kInsertCampaign, params));
        const int64_t id = rows.at(0).Int(0);
        CRM_RETURN_IF_ERROR(WriteChildren(tx, id, campaign));
        CRM_ASSIGN_OR_RETURN(db::Row row, Read(tx, caller, id, /*lock=*/false));
        created = FromRow(row);
        return events::Append(
            tx, {.type = kCampaignCreatedEvent, .resource = created.name(), .actor = caller.actor},
            created);
      });
}

absl::StatusOr<v1::Campaign> CampaignStore::Get(const CampaignCaller& caller, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, Read(*session, caller, id, /*lock=*/false));
  return FromRow(row);
}

absl::StatusOr<api::Page<v1::Campaign>> CampaignStore::List(const CampaignCaller& caller,
                                                            const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::Campaign>(*session, sql::kSelectCampaignColumns,
                                         sql::kCampaignColumnCount, sql::kFromCampaigns,
                                         ReadRule(caller), query, FromRow);
}

absl::StatusOr<v1::Campaign> CampaignStore::Change(const CampaignCaller& caller, int64_t id,
                                                   std::optional<int64_t> expected_version,
                                                   const Mutation& mutate,
                                                   const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Campaign>(
      pool_, key, [&](db::Transaction& tx, v1::Campaign& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, Read(tx, caller, id, /*lock=*/true));
        if (!caller.planner) {
          return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                       "only marketing, managers and admins change campaigns");
        }
        const v1::Campaign current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        updated = current;
        CRM_ASSIGN_OR_RETURN(const std::string event_type, mutate(updated));
        const std::string now = db::FormatDateTime(clock_.Now());
        std::vector<db::Value> params = Columns(updated);
        db::Value close_time;
        if (updated.has_close_time()) {
          close_time = db::FormatDateTime(FromTimestamp(updated.close_time()));
        }
        params.insert(params.end(), {now, close_time, id});
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kUpdateCampaign, params).status());
        CRM_RETURN_IF_ERROR(WriteChildren(tx, id, updated));
        CRM_ASSIGN_OR_RETURN(db::Row read, Read(tx, caller, id, /*lock=*/false));
        updated = FromRow(read);
        return events::Append(tx,
                              {.type = event_type,
                               .resource = updated.name(),
                               .actor = caller.actor,
                               .changed_paths = api::ChangedPaths(current, updated, {})},
                              updated);
      });
}

absl::StatusOr<v1::CampaignFeedback> CampaignStore::RecordFeedback(
    const CampaignCaller& caller, int64_t campaign_id, const v1::CampaignFeedback& feedback,
    const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::CampaignFeedback>(
      pool_, key, [&](db::Transaction& tx, v1::CampaignFeedback& recorded) -> absl::Status {
        // Locked, so that a close waits for this feedback (or this sees the campaign closed).
        CRM_ASSIGN_OR_RETURN(db::Row row, Read(tx, caller, campaign_id, /*lock=*/true));
        const v1::Campaign campaign = FromRow(row);
        if (campaign.state() != v1::Campaign::PLANNED &&
            campaign.state() != v1::Campaign::RUNNING) {
          return Error(
              absl::StatusCode::kFailedPrecondition, "CAMPAIGN_CLOSED",
              absl::StrCat(campaign.name(), " is ", v1::Campaign::State_Name(campaign.state())));
        }
        const int64_t customer_id = LinkId(feedback.customer(), "customers");
        db::Value contact_time;
        if (feedback.has_contact_time()) {
          contact_time = db::FormatDateTime(FromTimestamp(feedback.contact_time()));
        }
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kUpsertFeedback,
                       {campaign_id, customer_id, caller.actor, int64_t{feedback.attended()},
                        int64_t{feedback.rating()}, feedback.feedback(), contact_time,
                        db::FormatDateTime(clock_.Now())})
                .status());
        CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSelectFeedbackById,
                                                     {campaign_id, customer_id, caller.actor}));
        if (rows.empty()) return absl::InternalError("feedback vanished in its own transaction");
        recorded = FeedbackFromRow(rows[0]);
        return events::Append(tx,
                              {.type = kCampaignFeedbackRecordedEvent,
                               .resource = recorded.name(),
                               .actor = caller.actor},
                              recorded);
      });
}

absl::StatusOr<api::Page<v1::CampaignFeedback>> CampaignStore::ListFeedback(
    const CampaignCaller& caller, int64_t campaign_id, const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_RETURN_IF_ERROR(Read(*session, caller, campaign_id, /*lock=*/false).status());
  return records::ListPage<v1::CampaignFeedback>(
      *session, sql::kSelectFeedbackColumns, sql::kFeedbackColumnCount, sql::kFromFeedback,
      {"f.campaign_id = ?", {campaign_id}}, query, FeedbackFromRow);
}

absl::StatusOr<v1::CampaignEffectiveness> CampaignStore::Effectiveness(const CampaignCaller& caller,
                                                                       int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, Read(*session, caller, id, /*lock=*/false));
  const v1::Campaign campaign = FromRow(row);
  CampaignResults results;
  CRM_ASSIGN_OR_RETURN(db::Rows counts, session->Query(sql::kAttributionCounts, {campaign.code()}));
  for (const db::Row& count : counts) {
    switch (static_cast<AttributionKind>(count.Int(0))) {
      case AttributionKind::kLead:
        results.leads = count.Int(1);
        break;
      case AttributionKind::kCustomer:
        results.customers = count.Int(1);
        break;
      case AttributionKind::kOpportunity:
        results.opportunities = count.Int(1);
        break;
      case AttributionKind::kWon:
        results.won = count.Int(1);
        break;
    }
  }
  CRM_ASSIGN_OR_RETURN(db::Rows revenue, session->Query(sql::kWonRevenue, {campaign.code()}));
  for (const db::Row& r : revenue) results.won_revenue[r.Str(0)] = r.Int(1);
  CRM_ASSIGN_OR_RETURN(db::Rows feedback, session->Query(sql::kFeedbackSummary, {id}));
  if (!feedback.empty()) {
    results.feedback = feedback[0].Int(0);
    results.attended = feedback[0].Int(1);
    results.average_rating_x100 = feedback[0].Int(2);
  }
  static_assert(v1::VISIT == 3 && v1::MEETING == 4, "kCampaignVisits counts kinds 3 and 4");
  CRM_ASSIGN_OR_RETURN(db::Rows visits, session->Query(sql::kCampaignVisits, {id}));
  if (!visits.empty()) {
    results.visits = visits[0].Int(0);
    results.other_activities = visits[0].Int(1);
    results.visited_targets = visits[0].Int(2);
    results.unplanned_visited = visits[0].Int(3);
  }
  return activities::Effectiveness(campaign, results);
}

absl::Status CampaignStore::Attribute(db::Transaction& tx, const Attribution& what) {
  return tx
      .Execute(sql::kAttribute, {what.code, static_cast<int64_t>(what.kind), what.resource,
                                 what.currency, what.amount_minor, what.source_event})
      .status();
}

absl::Status CampaignStore::UnattributeOtherCodes(db::Transaction& tx, std::string_view code,
                                                  AttributionKind kind, std::string_view resource) {
  return tx
      .Execute(sql::kUnattributeOtherCodes,
               {std::string(resource), static_cast<int64_t>(kind), std::string(code)})
      .status();
}

}  // namespace crm::activities
