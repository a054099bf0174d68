#include "services/opportunities/lead_store.h"

#include <google/protobuf/empty.pb.h>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/opportunities/event_types.h"
#include "services/opportunities/lead_sql.h"
#include "services/opportunities/opportunity_sql.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kLeads[] = "leads";
constexpr char kOwnerField[] = "lead.owner";
constexpr int64_t kKindLead = 1;  // customer_repoints.record_kind

v1::Lead FromRow(const db::Row& row) {
  v1::Lead l;
  l.set_name(api::ResourceName(kLeads, row.Int(0)));
  l.set_etag(api::EtagFromVersion(row.Int(1)));
  l.set_company(row.Str(2));
  l.set_contact_name(row.Str(3));
  l.set_job_title(row.Str(4));
  db::SplitLines(row.Str(5), l.mutable_phones());
  db::SplitLines(row.Str(6), l.mutable_emails());
  l.set_industry(row.Str(7));
  l.set_country(row.Str(8));
  l.set_province(row.Str(9));
  l.set_city(row.Str(10));
  l.set_source(static_cast<v1::Source>(row.Int(11)));
  l.set_campaign(row.Str(12));
  l.set_status(static_cast<v1::LeadStatus>(row.Int(13)));
  l.set_disqualify_reason(row.Str(14));
  l.set_score(static_cast<int32_t>(row.Int(15)));
  l.set_owner(row.Str(sql::kLeadOwnerIndex));
  l.set_creator(row.Str(17));
  l.set_notes(row.Str(18));
  l.set_external_id(row.Str(19));
  l.set_import_batch(row.Str(20));
  if (row.Int(21) != 0) l.set_customer(api::ResourceName("customers", row.Int(21)));
  if (row.Int(22) != 0) l.set_opportunity(api::ResourceName("opportunities", row.Int(22)));
  if (!row.IsNull(23)) *l.mutable_convert_time() = TimestampFromDateTime(row.Str(23));
  *l.mutable_create_time() = TimestampFromDateTime(row.Str(24));
  *l.mutable_update_time() = TimestampFromDateTime(row.Str(25));
  return l;
}

db::Value ExternalId(const v1::Lead& lead) {
  return lead.external_id().empty() ? db::Value() : db::Value(lead.external_id());
}

absl::Status LeadConverted(std::string_view name) {
  return Error(absl::StatusCode::kFailedPrecondition, "LEAD_CONVERTED",
               absl::StrCat(std::string(name), " was converted; it can no longer change"));
}

absl::Status ExternalIdTaken(const v1::Lead& lead) {
  return Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_ID_TAKEN",
               absl::StrCat("another lead has external id \"", lead.external_id(), "\""));
}

// ALREADY_EXISTS EXTERNAL_ID_TAKEN when a live lead other than `self` has the external id.
absl::Status CheckExternalIdFree(db::Session& session, const v1::Lead& lead, int64_t self) {
  if (lead.external_id().empty()) return absl::OkStatus();
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(sql::kLeadWithExternalId, {lead.external_id()}));
  if (!rows.empty() && rows[0].Int(0) != self) return ExternalIdTaken(lead);
  return absl::OkStatus();
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "company", .column = "l.company", .orderable = true},
          {.name = "contact_name", .column = "l.contact_name"},
          {.name = "industry", .column = "l.industry"},
          {.name = "country", .column = "l.country"},
          {.name = "province", .column = "l.province"},
          {.name = "city", .column = "l.city"},
          {.name = "source",
           .type = api::FieldType::kEnum,
           .column = "l.source",
           .enum_values = api::EnumValues(*v1::Source_descriptor(), /*with_zero=*/true)},
          {.name = "campaign", .column = "l.campaign"},
          {.name = "status",
           .type = api::FieldType::kEnum,
           .column = "l.status",
           .enum_values = api::EnumValues(*v1::LeadStatus_descriptor())},
          {.name = "score", .type = api::FieldType::kInt64, .column = "l.score", .orderable = true},
          {.name = "owner", .column = "l.owner"},
          {.name = "creator", .column = "l.creator"},
          {.name = "external_id", .column = "l.external_id"},
          {.name = "import_batch", .column = "l.import_batch"},
          {.name = "customer", .column = "CONCAT('customers/', l.customer_id)"},
          {.name = "emails", .column = "l.emails"},
          {.name = "phones", .column = "l.phones"},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "l.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = "l.update_time",
           .orderable = true},
      },
      "l.id");
  return *fields;
}

}  // namespace

LeadStore::LeadStore(db::Pool& pool, const Clock& clock, OpportunityStore& opportunities)
    : pool_(pool),
      clock_(clock),
      opportunities_store_(opportunities),
      leads_({.collection = kLeads,
              .not_found_reason = "LEAD_NOT_FOUND",
              .owner_column = "l.owner",
              .select_by_id = sql::kSelectLeadById,
              .owner_index = sql::kLeadOwnerIndex,
              .select_columns = sql::kSelectLeadColumns,
              .column_count = sql::kLeadColumnCount,
              .from_live = sql::kFromLiveLeads}) {}

const api::ListSpec& LeadStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "create_time desc"};
  return spec;
}

absl::Status LeadStore::WriteLead(db::Transaction& tx, const records::Access* access, int64_t id,
                                  const v1::Lead& l) {
  std::vector<db::Value> params = {
      l.company(),       l.contact_name(),        l.job_title(),
      db::JoinLines(l.phones()), db::JoinLines(l.emails()), l.industry(),
      l.country(),       l.province(),            l.city(),
      int64_t{l.source()}, l.campaign(),          int64_t{l.status()},
      l.disqualify_reason(), int64_t{LeadScore(l)}, l.owner(),
      l.notes(),         ExternalId(l),           l.import_batch(),
      db::FormatDateTime(clock_.Now()), id};
  if (access != nullptr) return leads_.Write(tx, *access, sql::kUpdateLead, params);
  return tx.Execute(std::string(sql::kUpdateLead), params).status();
}

absl::StatusOr<v1::Lead> LeadStore::Create(const records::Access& access, const v1::Lead& input,
                                           const db::IdempotencyKey& key) {
  if (input.owner() != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(input.owner(), input.owner(), kOwnerField));
  }
  return db::IdempotentWrite<v1::Lead>(
      pool_, key, [&](db::Transaction& tx, v1::Lead& created) -> absl::Status {
        CRM_RETURN_IF_ERROR(CheckExternalIdFree(tx, input, 0));
        const std::string now = db::FormatDateTime(clock_.Now());
        const v1::Lead& l = input;
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsertLead,
                     {l.company(), l.contact_name(), l.job_title(), db::JoinLines(l.phones()),
                      db::JoinLines(l.emails()), l.industry(), l.country(), l.province(), l.city(),
                      int64_t{l.source()}, l.campaign(), int64_t{l.status()},
                      int64_t{LeadScore(l)}, l.owner(), access.actor(), l.notes(), ExternalId(l),
                      l.import_batch(), now, now}));
        CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {rows.at(0).Int(0)}));
        created = FromRow(read.at(0));
        return events::Append(
            tx, {.type = kLeadCreatedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<v1::Lead> LeadStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Get(*session, access, id));
  return FromRow(row);
}

absl::StatusOr<api::Page<v1::Lead>> LeadStore::List(const records::Access& access,
                                                    const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return leads_.List<v1::Lead>(*session, access, query, FromRow);
}

absl::StatusOr<v1::Lead> LeadStore::Update(const records::Access& access, int64_t id,
                                           std::optional<int64_t> expected_version,
                                           const Mutation& mutate,
                                           const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Lead>(
      pool_, key, [&](db::Transaction& tx, v1::Lead& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Lock(tx, access, id));
        const v1::Lead current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        if (current.status() == v1::CONVERTED) return LeadConverted(current.name());
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        // Back from DISQUALIFIED: the reason no longer holds.
        if (updated.status() != v1::DISQUALIFIED) updated.clear_disqualify_reason();
        if (updated.owner() != current.owner()) {
          CRM_RETURN_IF_ERROR(access.CheckOwnerChange(current.owner(), updated.owner(), kOwnerField));
        }
        CRM_RETURN_IF_ERROR(CheckExternalIdFree(tx, updated, id));
        CRM_RETURN_IF_ERROR(WriteLead(tx, &access, id, updated));
        CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {id}));
        updated = FromRow(read.at(0));
        return events::Append(tx,
                              {.type = kLeadUpdatedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = api::ChangedPaths(current, updated, {})},
                              updated);
      });
}

absl::Status LeadStore::Delete(const records::Access& access, int64_t id,
                               std::optional<int64_t> expected_version,
                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<google::protobuf::Empty>(
             pool_, key,
             [&](db::Transaction& tx, google::protobuf::Empty&) -> absl::Status {
               CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Lock(tx, access, id));
               const v1::Lead current = FromRow(row);
               CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
               const std::string now = db::FormatDateTime(clock_.Now());
               CRM_RETURN_IF_ERROR(leads_.Write(tx, access, sql::kSoftDeleteLead, {now, now, id}));
               return events::Append(tx,
                                     {.type = kLeadDeletedEvent,
                                      .resource = current.name(),
                                      .actor = access.actor()},
                                     current);
             })
      .status();
}

absl::StatusOr<v1::Lead> LeadStore::Disqualify(const records::Access& access, int64_t id,
                                               std::optional<int64_t> expected_version,
                                               const std::string& reason,
                                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Lead>(
      pool_, key, [&](db::Transaction& tx, v1::Lead& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Lock(tx, access, id));
        const v1::Lead current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        if (current.status() == v1::CONVERTED) return LeadConverted(current.name());
        updated = current;
        updated.set_status(v1::DISQUALIFIED);
        updated.set_disqualify_reason(reason);
        CRM_RETURN_IF_ERROR(WriteLead(tx, &access, id, updated));
        CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {id}));
        updated = FromRow(read.at(0));
        return events::Append(tx,
                              {.type = kLeadDisqualifiedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = api::ChangedPaths(current, updated, {})},
                              updated);
      });
}

absl::StatusOr<LeadStore::ImportOutcome> LeadStore::ImportRow(const records::Access& access,
                                                              const v1::Lead& row,
                                                              bool had_status,
                                                              const std::string& batch,
                                                              bool dry_run) {
  // The owner a row names is checked before the transaction, as Create does.
  if (!row.owner().empty() && row.owner() != access.actor()) {
    CRM_RETURN_IF_ERROR(access.CheckOwnerChange(row.owner(), row.owner(), kOwnerField));
  }
  ImportOutcome out;
  absl::Status status = pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    out = ImportOutcome{};
    std::optional<int64_t> existing;
    if (!row.external_id().empty()) {
      CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kLeadWithExternalId, {row.external_id()}));
      if (!rows.empty()) existing = rows[0].Int(0);
    }
    const std::string now = db::FormatDateTime(clock_.Now());
    if (!existing) {
      out.outcome = dry_run ? v1::LeadImportResult::VALID : v1::LeadImportResult::CREATED;
      if (dry_run) return absl::OkStatus();
      v1::Lead lead = row;
      if (lead.owner().empty()) lead.set_owner(access.actor());
      lead.set_import_batch(batch);
      CRM_ASSIGN_OR_RETURN(
          db::Rows rows,
          tx.Query(sql::kInsertLead,
                   {lead.company(), lead.contact_name(), lead.job_title(),
                    db::JoinLines(lead.phones()), db::JoinLines(lead.emails()), lead.industry(),
                    lead.country(), lead.province(), lead.city(), int64_t{lead.source()},
                    lead.campaign(), int64_t{lead.status()}, int64_t{LeadScore(lead)},
                    lead.owner(), access.actor(), lead.notes(), ExternalId(lead), batch, now,
                    now}));
      CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {rows.at(0).Int(0)}));
      out.lead = FromRow(read.at(0));
      return events::Append(
          tx, {.type = kLeadCreatedEvent, .resource = out.lead.name(), .actor = access.actor()},
          out.lead);
    }
    // The lead with this external id, if the caller may change it.
    CRM_ASSIGN_OR_RETURN(db::Row locked, leads_.Lock(tx, access, *existing));
    const v1::Lead current = FromRow(locked);
    if (current.status() == v1::CONVERTED) return LeadConverted(current.name());
    out.outcome = dry_run ? v1::LeadImportResult::VALID : v1::LeadImportResult::UPDATED;
    out.lead = current;
    if (dry_run) return absl::OkStatus();
    v1::Lead updated = row;
    updated.set_name(current.name());
    if (updated.owner().empty()) updated.set_owner(current.owner());
    if (!had_status) updated.set_status(current.status());
    if (updated.status() == v1::DISQUALIFIED) {
      updated.set_disqualify_reason(current.disqualify_reason());
    }
    updated.set_import_batch(batch);
    if (updated.owner() != current.owner()) {
      CRM_RETURN_IF_ERROR(access.CheckOwnerChange(current.owner(), updated.owner(), kOwnerField));
    }
    CRM_RETURN_IF_ERROR(WriteLead(tx, &access, *existing, updated));
    CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {*existing}));
    out.lead = FromRow(read.at(0));
    return events::Append(tx,
                          {.type = kLeadUpdatedEvent,
                           .resource = out.lead.name(),
                           .actor = access.actor(),
                           .changed_paths = api::ChangedPaths(current, out.lead, {})},
                          out.lead);
  });
  if (!status.ok()) return status;
  return out;
}

// ---- Conversion -------------------------------------------------------------------------------

absl::StatusOr<std::optional<v1::ConvertLeadResponse>> LeadStore::ConversionReplay(
    const db::IdempotencyKey& key) {
  if (key.request_id.empty()) return std::optional<v1::ConvertLeadResponse>();
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  v1::ConvertLeadResponse response;
  CRM_ASSIGN_OR_RETURN(bool replayed, db::Replay(*session, key, &response));
  if (!replayed) return std::optional<v1::ConvertLeadResponse>();
  return std::optional<v1::ConvertLeadResponse>(std::move(response));
}

absl::StatusOr<v1::Lead> LeadStore::Convertible(const records::Access& access, int64_t id,
                                                std::optional<int64_t> expected_version) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Get(*session, access, id));
  v1::Lead lead = FromRow(row);
  if (!access.Can(auth::Operation::kWrite, lead.owner())) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat("you may read ", lead.name(), " but not convert it"));
  }
  CRM_RETURN_IF_ERROR(api::CheckVersion(lead.name(), row.Int(1), expected_version));
  if (lead.status() == v1::CONVERTED) return LeadConverted(lead.name());
  if (lead.status() == v1::DISQUALIFIED) {
    return Error(absl::StatusCode::kFailedPrecondition, "LEAD_DISQUALIFIED",
                 absl::StrCat(lead.name(), " is disqualified; set its status back first"));
  }
  return lead;
}

absl::StatusOr<PendingConversion> LeadStore::BeginConversion(
    int64_t id, std::string_view actor, const customers::v1::CreateCustomerRequest& proposed) {
  PendingConversion pending;
  CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kBeginConversion,
                                   {id, std::string(actor), proposed.request_id(),
                                    proposed.SerializeAsString(),
                                    db::FormatDateTime(clock_.Now())})
                            .status());
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kPendingConversion, {id}));
    if (rows.empty()) return absl::InternalError("the conversion record vanished");
    pending.actor = rows[0].Str(0);
    if (!pending.request.ParseFromString(rows[0].Str(2))) {
      return absl::InternalError("an unreadable conversion record");
    }
    return absl::OkStatus();
  }));
  return pending;
}

absl::Status LeadStore::AbandonConversion(int64_t id, std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return session->Execute(sql::kAbandonConversion, {id, std::string(actor)}).status();
}

absl::StatusOr<v1::ConvertLeadResponse> LeadStore::CompleteConversion(
    const records::Access& access, int64_t id, std::optional<int64_t> expected_version,
    const std::string& customer, bool customer_created,
    const std::optional<NewOpportunity>& opportunity, const db::IdempotencyKey& key) {
  CRM_ASSIGN_OR_RETURN(int64_t customer_id, api::ParseResourceId(customer, "customers"));
  return db::IdempotentWrite<v1::ConvertLeadResponse>(
      pool_, key, [&](db::Transaction& tx, v1::ConvertLeadResponse& response) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, leads_.Lock(tx, access, id));
        const v1::Lead current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        if (current.status() == v1::CONVERTED) return LeadConverted(current.name());
        int64_t opportunity_id = 0;
        if (opportunity) {
          CRM_ASSIGN_OR_RETURN(*response.mutable_opportunity(),
                               opportunities_store_.Insert(tx, access, *opportunity));
          CRM_ASSIGN_OR_RETURN(opportunity_id, api::ParseResourceId(
                                                   response.opportunity().name(), "opportunities"));
        }
        v1::Lead converted = current;
        converted.set_status(v1::CONVERTED);
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(leads_.Write(tx, access, sql::kConvertLead,
                                         {int64_t{v1::CONVERTED}, int64_t{LeadScore(converted)},
                                          customer_id, opportunity_id, now, now, id}));
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kEndConversion, {id}).status());
        CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {id}));
        *response.mutable_lead() = FromRow(read.at(0));
        response.set_customer(customer);
        response.set_customer_created(customer_created);
        return events::Append(tx,
                              {.type = kLeadConvertedEvent,
                               .resource = response.lead().name(),
                               .actor = access.actor(),
                               .changed_paths = api::ChangedPaths(current, response.lead(), {})},
                              response.lead());
      });
}

// ---- The customers feed ---------------------------------------------------------------------

absl::Status LeadStore::FeedUpdated(db::Transaction& tx, int64_t id, std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectLeadById, {id}));
  if (read.empty()) return absl::OkStatus();
  const v1::Lead lead = FromRow(read[0]);
  return events::Append(tx,
                        {.type = kLeadUpdatedEvent,
                         .resource = lead.name(),
                         .actor = actor,
                         .changed_paths = {"customer"}},
                        lead);
}

absl::Status LeadStore::Repoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                                std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kLeadsOfCustomer, {merged_id}));
  const std::string now = db::FormatDateTime(clock_.Now());
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRepointLead, {survivor_id, now, id}).status());
    CRM_RETURN_IF_ERROR(
        tx.Execute(sql::kRememberRepoint, {survivor_id, merged_id, kKindLead, id}).status());
    CRM_RETURN_IF_ERROR(FeedUpdated(tx, id, actor));
  }
  return absl::OkStatus();
}

absl::Status LeadStore::Unrepoint(db::Transaction& tx, int64_t survivor_id, int64_t merged_id,
                                  std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       tx.Query(sql::kRepointedLeads, {survivor_id, merged_id, survivor_id}));
  const std::string now = db::FormatDateTime(clock_.Now());
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    CRM_RETURN_IF_ERROR(tx.Execute(sql::kRepointLead, {merged_id, now, id}).status());
    CRM_RETURN_IF_ERROR(FeedUpdated(tx, id, actor));
  }
  return tx.Execute(sql::kForgetRepoints, {survivor_id, merged_id, kKindLead}).status();
}

}  // namespace crm::opportunities
