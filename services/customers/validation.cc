#include "services/customers/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"

namespace crm::customers {

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

  check.Count(c.emails_size(), "emails", Limits::kEmails, "e-mails");
  for (int i = 0; i < c.emails_size(); ++i) {
    check.Email(c.mutable_emails(i), absl::StrCat("emails[", i, "]"), /*required=*/true);
  }

  check.Count(c.phones_size(), "phones", Limits::kPhones, "phones");
  const std::string phone_region =
      region->country().empty() ? std::string(default_region) : region->country();
  for (int i = 0; i < c.phones_size(); ++i) {
    check.Phone(c.mutable_phones(i), absl::StrCat("phones[", i, "]"), phone_region);
  }
  return violations.ToStatus("invalid customer");
}

}  // namespace crm::customers
