#include "services/customers/service.h"

#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_rows.h"
#include "services/customers/dates.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr int kSearchPageSize = 20;
constexpr int kMaxSearchPageSize = 100;
constexpr int kDuplicatesPageSize = 20;
constexpr int kMaxDuplicatesPageSize = 100;
constexpr int kDatesPageSize = 100;
constexpr int kMaxDatesPageSize = 1000;
constexpr int kMaxWithinDays = 366;
constexpr int kMaxMerged = 9;

// What UpdateCustomer may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "kind",  "industry", "size_band", "region",      "address", "tags",
      "emails",       "phones", "source",  "owner",     "notes",       "external_id", "dates"};
  return *paths;
}

// The filter of a search, export or duplicate list: ListCustomers' language and fields.
absl::StatusOr<api::SqlFragment> CustomerFilter(std::string_view filter) {
  return api::CompileFilter(filter, *CustomerStore::ListSpec().fields);
}

}  // namespace

absl::Status CustomerService::Create(const auth::Caller& caller,
                                     const v1::CreateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_customer()) return InvalidField("customer", "is required");
  v1::Customer customer = request.customer();
  // Output-only fields are the server's to set.
  customer.clear_name();
  customer.clear_etag();
  customer.clear_create_time();
  customer.clear_update_time();
  customer.clear_creator();
  CRM_RETURN_IF_ERROR(NormalizeAndValidate(customer, "customer", options_.default_phone_region));
  if (customer.owner().empty()) customer.set_owner(access.actor());
  CRM_ASSIGN_OR_RETURN(*response,
                       stores_.customers.Create(access, customer, request.allow_duplicate(),
                                                db::KeyFor("CreateCustomer", request,
                                                           access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::Get(const auth::Caller& caller,
                                  const v1::GetCustomerRequest& request, v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCustomers, "name"));
  CRM_ASSIGN_OR_RETURN(*response, stores_.customers.Get(access, id));
  return absl::OkStatus();
}

absl::Status CustomerService::List(const auth::Caller& caller,
                                   const v1::ListCustomersRequest& request,
                                   v1::ListCustomersResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMethod));
  // Page tokens are bound to the user: the keyset position in one says something about
  // customers only that user may see.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, CustomerStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Customer> page, stores_.customers.List(access, query));
  for (v1::Customer& customer : page.items) *response->add_customers() = std::move(customer);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CustomerService::Update(const auth::Caller& caller,
                                     const v1::UpdateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_customer(), request.customer(),
                             request.has_update_mask(), request.update_mask(), kCustomers,
                             "customer", UpdatablePaths()));
  // A new owner is looked up in the auth service now, before the row is locked; under the
  // lock the store checks only the role's rule (no I/O) and uses this verdict.
  records::OwnerChecks owners(access, kOwnerField);
  if (api::MaskNames(request.update_mask(), "owner")) {
    owners.Prepare(api::Trim(request.customer().owner()));
  }
  // Runs with the record locked, after the store checked that the caller may write it; the
  // store checks the duplicate rules and an owner change with the same access afterwards.
  auto mutate = [&](v1::Customer& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.customer(), &updated,
                                            UpdatablePaths()));
    return NormalizeAndValidate(updated, "customer", options_.default_phone_region);
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       stores_.customers.Update(access, target.id, target.version, mutate,
                                                request.allow_duplicate(), owners,
                                                db::KeyFor("UpdateCustomer", request,
                                                           access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::Delete(const auth::Caller& caller,
                                     const v1::DeleteCustomerRequest& request,
                                     google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCustomers, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return stores_.customers.Delete(access, id, version,
                                  db::KeyFor("DeleteCustomer", request, access.actor()));
}

absl::Status CustomerService::Search(const auth::Caller& caller,
                                     const v1::SearchCustomersRequest& request,
                                     v1::SearchCustomersResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kSearchMethod));
  CustomerSearchStore::Query query{.text = request.query(),
                                   .phone_region = options_.default_phone_region};
  CRM_ASSIGN_OR_RETURN(query.page_size, api::EffectivePageSize(request.page_size(),
                                                               kSearchPageSize,
                                                               kMaxSearchPageSize));
  CRM_ASSIGN_OR_RETURN(query.filter, CustomerFilter(request.filter()));
  // A token continues this search, with this filter, for this caller (what they may see
  // decides the hits).
  const std::string binding =
      api::PageBinding(absl::StrCat(request.query(), "\n", request.filter()), "search",
                       access.actor());
  CRM_ASSIGN_OR_RETURN(query.after,
                       api::DecodePageToken(page_tokens_, request.page_token(), binding,
                                            CustomerSearchStore::Order().size()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::CustomerSearchResult> page,
                       stores_.search.Search(access, query));
  for (v1::CustomerSearchResult& result : page.items) *response->add_results() = std::move(result);
  if (page.has_more) response->set_next_page_token(page_tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status CustomerService::Duplicates(const auth::Caller& caller,
                                         const v1::FindDuplicatesRequest& request,
                                         v1::FindDuplicatesResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kFindDuplicatesMethod));
  DuplicateStore::Query query;
  CRM_ASSIGN_OR_RETURN(query.page_size, api::EffectivePageSize(request.page_size(),
                                                               kDuplicatesPageSize,
                                                               kMaxDuplicatesPageSize));
  CRM_ASSIGN_OR_RETURN(query.filter, CustomerFilter(request.filter()));
  const std::string binding = api::PageBinding(request.filter(), "duplicates", access.actor());
  CRM_ASSIGN_OR_RETURN(query.after,
                       api::DecodePageToken(page_tokens_, request.page_token(), binding,
                                            DuplicateStore::Order().size()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::DuplicateGroup> page,
                       stores_.duplicates.FindGroups(access, query));
  for (v1::DuplicateGroup& group : page.items) *response->add_groups() = std::move(group);
  if (page.has_more) response->set_next_page_token(page_tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status CustomerService::Merge(const auth::Caller& caller,
                                    const v1::MergeCustomersRequest& request,
                                    v1::CustomerMerge* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kMergeMethod));
  Violations violations;
  absl::StatusOr<int64_t> survivor = api::ParseResourceId(request.survivor(), kCustomers,
                                                          "survivor");
  if (!survivor.ok()) violations.Add("survivor", "must be a customer name like \"customers/3\"");
  if (request.merged_size() == 0 || request.merged_size() > kMaxMerged) {
    violations.Add("merged", absl::StrCat("must name 1-", kMaxMerged, " customers"));
  }
  std::vector<int64_t> merged;
  std::set<int64_t> seen;
  for (int i = 0; i < request.merged_size(); ++i) {
    const std::string field = absl::StrCat("merged[", i, "]");
    absl::StatusOr<int64_t> id = api::ParseResourceId(request.merged(i), kCustomers, field);
    if (!id.ok()) {
      violations.Add(field, "must be a customer name like \"customers/3\"");
    } else if (survivor.ok() && *id == *survivor) {
      violations.Add(field, "is the survivor");
    } else if (!seen.insert(*id).second) {
      violations.Add(field, "is named twice");
    } else {
      merged.push_back(*id);
    }
  }
  absl::StatusOr<std::optional<int64_t>> version =
      api::OptionalVersion(request.survivor_etag(), "survivor_etag");
  if (!version.ok()) violations.Add("survivor_etag", "is not an etag of this service");
  if (absl::Status id = api::ValidateRequestId(request.request_id(), false); !id.ok()) {
    violations.Add("request_id", "must be 1-64 characters of A-Z a-z 0-9 - _");
  }
  CRM_RETURN_IF_ERROR(violations.ToStatus("invalid merge"));
  CRM_ASSIGN_OR_RETURN(*response,
                       stores_.merges.Merge(access, *survivor, merged, *version,
                                            db::KeyFor("MergeCustomers", request,
                                                       access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::Unmerge(const auth::Caller& caller,
                                      const v1::UnmergeCustomersRequest& request,
                                      v1::CustomerMerge* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUnmergeMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::ChildId merge,
                       api::ParseChildResourceId(request.name(), kCustomers, "merges", "name"));
  CRM_ASSIGN_OR_RETURN(*response,
                       stores_.merges.Unmerge(access, merge.parent, merge.id,
                                              db::KeyFor("UnmergeCustomers", request,
                                                         access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::History(const auth::Caller& caller,
                                      const v1::ListCustomerHistoryRequest& request,
                                      v1::ListCustomerHistoryResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kHistoryMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.parent(), kCustomers, "parent"));
  // A token is for this customer's history, for this caller.
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), request.filter(), "", request.page_token(),
                       HistoryStore::ListSpec(), page_tokens_,
                       absl::StrCat(access.actor(), "|", request.parent())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::HistoryEntry> page, stores_.history.List(access, id, query));
  for (v1::HistoryEntry& entry : page.items) *response->add_entries() = std::move(entry);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CustomerService::UpcomingDates(const auth::Caller& caller,
                                            const v1::ListUpcomingDatesRequest& request,
                                            v1::ListUpcomingDatesResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpcomingDatesMethod));
  if (request.within_days() < 0 || request.within_days() > kMaxWithinDays) {
    return InvalidField("within_days", absl::StrCat("must be 0-", kMaxWithinDays));
  }
  const std::string zone =
      request.time_zone().empty() ? options_.default_time_zone : request.time_zone();
  UpcomingDatesStore::Query query;
  CRM_ASSIGN_OR_RETURN(query.page_size, api::EffectivePageSize(request.page_size(),
                                                               kDatesPageSize, kMaxDatesPageSize));
  // A service granted the method (activities) sends greetings for everyone: it sees every
  // customer's dates; a user sees those of the customers they may read.
  query.rule = access.principal().IsService()
                   ? api::SqlFragment{.sql = "TRUE"}
                   : access.Rows(auth::Operation::kRead, "c.owner");
  // The token carries the window's first day, so every page shows the same window.
  const std::string binding = api::PageBinding(
      absl::StrCat(request.within_days(), "|", zone), "upcoming", access.actor());
  CRM_ASSIGN_OR_RETURN(std::optional<std::vector<db::Value>> after,
                       api::DecodePageToken(page_tokens_, request.page_token(), binding, 5));
  const absl::CivilDay epoch(1970, 1, 1);
  if (after) {
    auto number = [&](size_t i) {
      const int64_t* v = std::get_if<int64_t>(&(*after)[i]);
      return v == nullptr ? 0 : *v;
    };
    query.first = epoch + number(0);
    query.after = UpcomingDatesStore::Key{number(1), number(2), number(3), number(4)};
  } else {
    CRM_ASSIGN_OR_RETURN(query.first, TodayIn(clock_.Now(), zone, "time_zone"));
  }
  query.last = query.first + request.within_days();
  CRM_ASSIGN_OR_RETURN(UpcomingDatesStore::Page page, stores_.dates.List(query));
  for (v1::UpcomingDate& date : page.dates) *response->add_dates() = std::move(date);
  if (page.last) {
    response->set_next_page_token(page_tokens_.Encode(
        binding, {int64_t{query.first - epoch}, page.last->day, page.last->customer_id,
                  page.last->contact_id, page.last->row_id}));
  }
  return absl::OkStatus();
}

}  // namespace crm::customers
