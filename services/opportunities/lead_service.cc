#include "services/opportunities/lead_service.h"

#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/status.pb.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/auth/principal.h"
#include "libs/base/hash.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/opportunities/rules.h"
#include "services/opportunities/validation.h"

namespace crm::opportunities {
namespace {

constexpr char kLeads[] = "leads";
// An import's messages together may be this large; its rows are counted against
// Limits::kImportRows after reading.
constexpr size_t kMaxImportBytes = 32 << 20;
// The customer notes a conversion writes stay within the customers service's limit.
constexpr size_t kCustomerNotes = 4000;

// What UpdateLead may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "company", "contact_name", "job_title", "phones", "emails", "industry", "country",
      "province", "city",         "source",    "campaign", "status", "owner",   "notes",
      "external_id"};
  return *paths;
}

// Output-only fields are the server's to set.
void ClearOutputOnly(v1::Lead& lead) {
  lead.clear_name();
  lead.clear_etag();
  lead.clear_creator();
  lead.clear_create_time();
  lead.clear_update_time();
  lead.clear_score();
  lead.clear_disqualify_reason();
  lead.clear_customer();
  lead.clear_opportunity();
  lead.clear_convert_time();
  lead.clear_import_batch();
}

// A row's error as the import response carries it.
google::rpc::Status RowError(const absl::Status& status, std::string_view domain) {
  google::rpc::Status out;
  const grpc::Status wire = ToGrpcStatus(status, domain);
  if (!out.ParseFromString(wire.error_details())) {
    out.set_code(static_cast<int>(status.code()));
    out.set_message(std::string(status.message()));
  }
  return out;
}

// A batch id no other import has: the time and 64 random bits.
std::string NewBatchId() {
  std::random_device random;
  const uint64_t bits = (static_cast<uint64_t>(random()) << 32) | random();
  return absl::StrFormat("imports/%x%016x", absl::ToUnixMillis(absl::Now()), bits);
}

}  // namespace

customers::v1::CreateCustomerRequest LeadService::CustomerRequestFor(const v1::Lead& lead,
                                                                     const std::string& owner,
                                                                     std::string_view actor) {
  customers::v1::CreateCustomerRequest request;
  customers::v1::Customer& c = *request.mutable_customer();
  const bool company = !lead.company().empty();
  c.set_display_name(company ? lead.company() : lead.contact_name());
  c.set_kind(company ? customers::v1::COMPANY : customers::v1::PERSON);
  c.set_industry(lead.industry());
  c.mutable_region()->set_country(lead.country());
  c.mutable_region()->set_province(lead.province());
  c.mutable_region()->set_city(lead.city());
  *c.mutable_phones() = lead.phones();
  *c.mutable_emails() = lead.emails();
  if (lead.source() != v1::SOURCE_UNSPECIFIED) {
    c.set_source(absl::AsciiStrToLower(v1::Source_Name(lead.source())));
  }
  c.set_owner(owner);
  // The person at the company, until customers keep contacts of their own.
  std::string notes = lead.notes();
  if (company && !lead.contact_name().empty()) {
    std::string contact = absl::StrCat("Contact: ", lead.contact_name());
    if (!lead.job_title().empty()) absl::StrAppend(&contact, " (", lead.job_title(), ")");
    std::string with_contact = notes.empty() ? contact : absl::StrCat(contact, "\n", notes);
    if (api::CodePoints(with_contact) <= kCustomerNotes) notes = std::move(with_contact);
  }
  c.set_notes(notes);
  // Derived from the lead, the request and who sends it: a retry of the same conversion sends
  // the same key and the customers service replays the customer it created.
  const std::string digest =
      Sha256Hex(absl::StrCat(request.SerializeAsString(), "\n", std::string(actor)));
  const int64_t id = api::ParseResourceId(lead.name(), kLeads).value_or(0);
  request.set_request_id(absl::StrCat("lead-", id, "-", digest.substr(0, 24)));
  return request;
}

absl::Status LeadService::DoCreateLead(const auth::Caller& caller,
                                       const v1::CreateLeadRequest& request, v1::Lead* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateLead, LeadRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_lead()) return InvalidField("lead", "is required");
  v1::Lead lead = request.lead();
  ClearOutputOnly(lead);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateLead(lead, "lead", options_.default_phone_region));
  if (lead.owner().empty()) lead.set_owner(access.actor());
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(access, lead, db::KeyFor("CreateLead", request, access.actor())));
  return absl::OkStatus();
}

absl::Status LeadService::DoGetLead(const auth::Caller& caller, const v1::GetLeadRequest& request,
                                    v1::Lead* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetLead, LeadRules()));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kLeads, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status LeadService::DoListLeads(const auth::Caller& caller,
                                      const v1::ListLeadsRequest& request,
                                      v1::ListLeadsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListLeads, LeadRules()));
  // Page tokens are bound to the user: a keyset position says something about their leads.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, LeadStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Lead> page, store_.List(access, query));
  for (v1::Lead& lead : page.items) *response->add_leads() = std::move(lead);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status LeadService::DoUpdateLead(const auth::Caller& caller,
                                       const v1::UpdateLeadRequest& request, v1::Lead* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateLead, LeadRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_lead(), request.lead(),
                                              request.has_update_mask(), request.update_mask(),
                                              kLeads, "lead", UpdatablePaths()));
  // Runs with the lead locked, after the store checked that the caller may write it.
  auto mutate = [&](v1::Lead& updated) -> absl::Status {
    const v1::LeadStatus before = updated.status();
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.lead(), &updated,
                                            UpdatablePaths()));
    // A disqualified lead keeps that status until the update names another one.
    const bool keeps_disqualified =
        before == v1::DISQUALIFIED && updated.status() == v1::DISQUALIFIED;
    if (keeps_disqualified) updated.set_status(v1::NEW);
    CRM_RETURN_IF_ERROR(NormalizeAndValidateLead(updated, "lead", options_.default_phone_region));
    if (keeps_disqualified) updated.set_status(v1::DISQUALIFIED);
    return absl::OkStatus();
  };
  CRM_ASSIGN_OR_RETURN(*response, store_.Update(access, target.id, target.version, mutate,
                                                db::KeyFor("UpdateLead", request, access.actor())));
  return absl::OkStatus();
}

absl::Status LeadService::DoDeleteLead(const auth::Caller& caller,
                                       const v1::DeleteLeadRequest& request,
                                       google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteLead, LeadRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kLeads, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return store_.Delete(access, id, version, db::KeyFor("DeleteLead", request, access.actor()));
}

absl::Status LeadService::DoDisqualifyLead(const auth::Caller& caller,
                                           const v1::DisqualifyLeadRequest& request,
                                           v1::Lead* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kDisqualifyLead, LeadRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kLeads, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  CRM_ASSIGN_OR_RETURN(std::string reason, ValidReason(request.reason(), "reason"));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Disqualify(access, id, version, reason,
                                         db::KeyFor("DisqualifyLead", request, access.actor())));
  return absl::OkStatus();
}

grpc::ServerReadReactor<v1::ImportLeadsRequest>* LeadService::ImportLeads(
    grpc::CallbackServerContext* ctx, v1::ImportLeadsResponse* response) {
  return rpc_.ServeClientStream<v1::ImportLeadsRequest>(
      ctx, kImportLeads, kMaxImportBytes,
      [this, response](const auth::Caller& caller, std::vector<v1::ImportLeadsRequest>& messages) {
        return DoImportLeads(caller, messages, response);
      });
}

absl::Status LeadService::DoImportLeads(const auth::Caller& caller,
                                        std::vector<v1::ImportLeadsRequest>& messages,
                                        v1::ImportLeadsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kImportLeads, LeadRules()));
  const v1::ImportOptions options =
      messages.empty() ? v1::ImportOptions() : messages.front().options();
  size_t rows = 0;
  for (const v1::ImportLeadsRequest& message : messages) rows += message.leads_size();
  if (rows > static_cast<size_t>(Limits::kImportRows)) {
    return Error(absl::StatusCode::kInvalidArgument, "IMPORT_TOO_LARGE",
                 absl::StrCat("an import takes at most ", Limits::kImportRows, " rows, not ", rows));
  }
  // Defaults the stream names for rows without their own.
  v1::ImportOptions defaults = options;
  CRM_RETURN_IF_ERROR(NormalizeAndValidateImportOptions(defaults, "options"));

  const std::string batch = options.dry_run() ? "" : NewBatchId();
  response->set_batch(batch);
  response->set_dry_run(options.dry_run());
  int row_number = 0;
  for (v1::ImportLeadsRequest& message : messages) {
    for (v1::Lead& row : *message.mutable_leads()) {
      v1::LeadImportResult* result = response->add_results();
      result->set_row(row_number);
      const std::string prefix = absl::StrCat("leads[", row_number, "]");
      ++row_number;
      ClearOutputOnly(row);
      if (row.campaign().empty()) row.set_campaign(defaults.campaign());
      if (row.source() == v1::SOURCE_UNSPECIFIED) row.set_source(defaults.source());
      const bool had_status = row.status() != v1::LEAD_STATUS_UNSPECIFIED;
      const absl::Status valid =
          NormalizeAndValidateLead(row, prefix, options_.default_phone_region);
      absl::StatusOr<LeadStore::ImportOutcome> outcome =
          valid.ok() ? store_.ImportRow(access, row, had_status, batch, options.dry_run())
                     : absl::StatusOr<LeadStore::ImportOutcome>(valid);
      if (!outcome.ok()) {
        result->set_outcome(v1::LeadImportResult::FAILED);
        *result->mutable_error() = RowError(outcome.status(), rpc_.domain());
        response->set_failed(response->failed() + 1);
        continue;
      }
      result->set_outcome(outcome->outcome);
      result->set_lead(outcome->lead.name());
      if (outcome->outcome == v1::LeadImportResult::CREATED) {
        response->set_created(response->created() + 1);
      } else if (outcome->outcome == v1::LeadImportResult::UPDATED) {
        response->set_updated(response->updated() + 1);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status LeadService::DoConvertLead(const auth::Caller& caller,
                                        const v1::ConvertLeadRequest& request,
                                        v1::ConvertLeadResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access,
                       access_.For(caller, kConvertLead, LeadRules()));
  CRM_ASSIGN_OR_RETURN(const records::Access opportunity_access,
                       access_.For(caller, kConvertLead, OpportunityRules()));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kLeads, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  if (!request.customer().empty()) {
    CRM_RETURN_IF_ERROR(api::ParseResourceId(request.customer(), "customers", "customer").status());
  }
  if (!request.owner().empty() &&
      !api::ParseResourceId(request.owner(), "users", "owner").ok()) {
    return InvalidField("owner", "must be a user name like \"users/42\"");
  }
  const db::IdempotencyKey key = db::KeyFor("ConvertLead", request, access.actor());
  // A retry of a conversion that completed answers as the first call did.
  CRM_ASSIGN_OR_RETURN(std::optional<v1::ConvertLeadResponse> replay, store_.ConversionReplay(key));
  if (replay) {
    *response = *std::move(replay);
    return absl::OkStatus();
  }
  CRM_ASSIGN_OR_RETURN(const v1::Lead lead, store_.Convertible(access, id, version));
  const std::string owner = request.owner().empty() ? lead.owner() : request.owner();

  // The opportunity is checked in full before anything is created anywhere.
  std::optional<NewOpportunity> opportunity;
  if (request.has_opportunity()) {
    NewOpportunity draft;
    v1::Opportunity& o = draft.opportunity;
    o = request.opportunity();
    ClearOutputOnly(o);
    if (o.title().empty()) o.set_title(lead.company().empty() ? lead.contact_name() : lead.company());
    if (o.source() == v1::SOURCE_UNSPECIFIED) o.set_source(lead.source());
    if (o.campaign().empty()) o.set_campaign(lead.campaign());
    if (o.owner().empty()) o.set_owner(owner);
    o.set_customer("customers/1");  // a placeholder until the conversion has the customer
    CRM_RETURN_IF_ERROR(NormalizeAndValidateOpportunity(o, "opportunity"));
    CRM_RETURN_IF_ERROR(CheckProducts(products_, caller, o.products(), "opportunity"));
    if (o.owner() != opportunity_access.actor()) {
      CRM_RETURN_IF_ERROR(
          opportunity_access.CheckOwnerChange(o.owner(), o.owner(), "opportunity.owner"));
    }
    draft.lead_id = id;
    opportunity = std::move(draft);
  }

  // The customer: the one named, or one created for the lead (the same one on every retry).
  std::string customer;
  bool created = false;
  CustomerFacts facts;
  if (!request.customer().empty()) {
    CRM_ASSIGN_OR_RETURN(facts, CheckCustomer(customers_, caller, request.customer(), "customer"));
    customer = request.customer();
  } else {
    CRM_ASSIGN_OR_RETURN(
        const PendingConversion pending,
        store_.BeginConversion(id, access.actor(),
                               CustomerRequestFor(lead, owner, access.actor())));
    if (pending.actor != access.actor()) {
      return Error(absl::StatusCode::kFailedPrecondition, "CONVERSION_PENDING",
                   absl::StrCat(pending.actor, " started converting ", lead.name(),
                                " and was interrupted; they retry it, or convert it by linking an "
                                "existing customer"));
    }
    absl::StatusOr<customers::v1::Customer> made = customers_.CreateCustomer(caller, pending.request);
    if (!made.ok()) {
      // Unless the outcome is unknown (then the retry replays it), nothing was created: the next
      // attempt starts afresh, e.g. with allow_duplicate or another owner.
      if (made.status().code() != absl::StatusCode::kUnavailable) {
        CRM_RETURN_IF_ERROR(store_.AbandonConversion(id, access.actor()));
      }
      return made.status();
    }
    customer = made->name();
    created = true;
    facts = CustomerFacts{.industry = made->industry(),
                          .size_band = static_cast<int>(made->size_band())};
  }
  if (opportunity) {
    opportunity->opportunity.set_customer(customer);
    opportunity->customer = facts;
  }
  CRM_ASSIGN_OR_RETURN(*response, store_.CompleteConversion(access, id, version, customer, created,
                                                            opportunity, key));
  return absl::OkStatus();
}

}  // namespace crm::opportunities
