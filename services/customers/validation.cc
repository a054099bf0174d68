#include "services/customers/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/match_key.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"
#include "services/customers/dates.h"

namespace crm::customers {
namespace {

void CheckContactLists(google::protobuf::RepeatedPtrField<std::string>* emails,
                       google::protobuf::RepeatedPtrField<std::string>* phones,
                       std::string_view phone_region, api::FieldChecker& check) {
  check.Count(emails->size(), "emails", Limits::kEmails, "e-mails");
  for (int i = 0; i < emails->size(); ++i) {
    check.Email(emails->Mutable(i), absl::StrCat("emails[", i, "]"), /*required=*/true);
  }
  check.Count(phones->size(), "phones", Limits::kPhones, "phones");
  for (int i = 0; i < phones->size(); ++i) {
    check.Phone(phones->Mutable(i), absl::StrCat("phones[", i, "]"), phone_region);
  }
}

}  // namespace

std::string PhoneRegionOf(const v1::Customer& customer, std::string_view default_region) {
  const std::string country = absl::AsciiStrToUpper(api::Trim(customer.region().country()));
  return country.size() == 2 ? country : std::string(default_region);
}

absl::Status NormalizeAndValidate(v1::Customer& c, std::string_view prefix,
                                  std::string_view default_region) {
  Violations violations;
  api::FieldChecker check(violations, prefix);

  check.Text(c.mutable_display_name(), "display_name", Limits::kDisplayName, true);
  if (c.kind() == v1::CUSTOMER_KIND_UNSPECIFIED) {
    check.Add("kind", "is required (COMPANY or PERSON)");
  } else if (!v1::CustomerKind_IsValid(c.kind())) {
    check.Add("kind", "is not a known kind");
  }
  if (!v1::SizeBand_IsValid(c.size_band())) check.Add("size_band", "is not a known size band");
  check.Text(c.mutable_industry(), "industry", Limits::kShortText, false);
  check.Text(c.mutable_address(), "address", Limits::kAddress, false);
  check.Text(c.mutable_source(), "source", Limits::kShortText, false);
  check.Text(c.mutable_notes(), "notes", Limits::kNotes, false, /*multiline=*/true);

  auto* region = c.mutable_region();
  region->set_country(absl::AsciiStrToUpper(api::Trim(region->country())));
  if (!region->country().empty() &&
      (region->country().size() != 2 || !absl::ascii_isalpha(region->country()[0]) ||
       !absl::ascii_isalpha(region->country()[1]))) {
    check.Add("region.country", "must be an ISO 3166-1 alpha-2 code like \"CN\"");
  }
  check.Text(region->mutable_province(), "region.province", Limits::kShortText, false);
  check.Text(region->mutable_city(), "region.city", Limits::kShortText, false);

  check.Text(c.mutable_owner(), "owner", Limits::kShortText, false);
  if (!c.owner().empty() && !c.owner().starts_with("users/")) {
    check.Add("owner", "must be a user name like \"users/42\"");
  }

  check.Tags(c.mutable_tags(), "tags", Limits::kTags, Limits::kTag);

  CheckContactLists(c.mutable_emails(), c.mutable_phones(),
                    PhoneRegionOf(c, default_region), check);
  check.Text(c.mutable_external_id(), "external_id", Limits::kExternalId, false);
  CheckDates(c.mutable_dates(), "dates", check);
  c.set_company_match_key(c.kind() == v1::COMPANY ? api::CompanyMatchKey(c.display_name()) : "");
  return violations.ToStatus("invalid customer");
}

absl::Status NormalizeAndValidateContact(v1::Contact& c, std::string_view prefix,
                                         std::string_view phone_region) {
  Violations violations;
  api::FieldChecker check(violations, prefix);
  check.Text(c.mutable_display_name(), "display_name", Limits::kDisplayName, true);
  check.Text(c.mutable_title(), "title", Limits::kContactText, false);
  check.Text(c.mutable_department(), "department", Limits::kContactText, false);
  check.Text(c.mutable_notes(), "notes", Limits::kNotes, false, /*multiline=*/true);
  CheckContactLists(c.mutable_emails(), c.mutable_phones(), phone_region, check);
  CheckDates(c.mutable_dates(), "dates", check);
  return violations.ToStatus("invalid contact");
}

}  // namespace crm::customers
