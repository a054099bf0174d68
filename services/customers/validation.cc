#include "services/customers/validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/text.h"
#include "libs/grpc/status.h"
#include <phonenumbers/phonenumberutil.h>

namespace crm::customers {
namespace {

using api::CodePoints;
using api::HasControlChars;
using api::Trim;
using api::ValidEmail;

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

class FieldChecker final {
 public:
  FieldChecker(Violations& violations, std::string_view prefix)
      : violations_(violations), prefix_(prefix) {}

  std::string Path(std::string_view field) const {
    return prefix_.empty() ? std::string(field) : absl::StrCat(prefix_, ".", std::string(field));
  }

  // Trims `value` and checks its length and characters.
  void Text(std::string* value, std::string_view field, size_t max, bool required,
            bool multiline = false) {
    *value = Trim(*value);
    if (value->empty()) {
      if (required) violations_.Add(Path(field), "is required");
      return;
    }
    if (CodePoints(*value) > max) {
      violations_.Add(Path(field), absl::StrCat("must be at most ", max, " characters"));
    }
    if (HasControlChars(*value, multiline)) {
      violations_.Add(Path(field), "must not contain control characters");
    }
  }

  Violations& violations() { return violations_; }

 private:
  Violations& violations_;
  std::string prefix_;
};

}  // namespace

absl::Status NormalizeAndValidate(v1::Customer& c, std::string_view prefix,
                                  std::string_view default_region) {
  Violations violations;
  FieldChecker check(violations, prefix);

  check.Text(c.mutable_display_name(), "display_name", Limits::kDisplayName, true);
  if (c.kind() == v1::CUSTOMER_KIND_UNSPECIFIED) {
    violations.Add(check.Path("kind"), "is required (COMPANY or PERSON)");
  } else if (!v1::CustomerKind_IsValid(c.kind())) {
    violations.Add(check.Path("kind"), "is not a known kind");
  }
  if (!v1::SizeBand_IsValid(c.size_band())) {
    violations.Add(check.Path("size_band"), "is not a known size band");
  }
  check.Text(c.mutable_industry(), "industry", Limits::kShortText, false);
  check.Text(c.mutable_address(), "address", Limits::kAddress, false);
  check.Text(c.mutable_source(), "source", Limits::kShortText, false);
  check.Text(c.mutable_notes(), "notes", Limits::kNotes, false, /*multiline=*/true);

  auto* region = c.mutable_region();
  region->set_country(absl::AsciiStrToUpper(Trim(region->country())));
  if (!region->country().empty() &&
      (region->country().size() != 2 || !absl::ascii_isalpha(region->country()[0]) ||
       !absl::ascii_isalpha(region->country()[1]))) {
    violations.Add(check.Path("region.country"), "must be an ISO 3166-1 alpha-2 code like \"CN\"");
  }
  check.Text(region->mutable_province(), "region.province", Limits::kShortText, false);
  check.Text(region->mutable_city(), "region.city", Limits::kShortText, false);

  check.Text(c.mutable_owner(), "owner", Limits::kShortText, false);
  if (!c.owner().empty() && !c.owner().starts_with("users/")) {
    violations.Add(check.Path("owner"), "must be a user name like \"users/42\"");
  }

  // Tags: trimmed, lower case, unique.
  if (c.tags_size() > Limits::kTags) {
    violations.Add(check.Path("tags"), absl::StrCat("at most ", Limits::kTags, " tags"));
  }
  std::set<std::string> seen_tags;
  for (int i = 0; i < c.tags_size(); ++i) {
    std::string field = absl::StrCat("tags[", i, "]");
    std::string* tag = c.mutable_tags(i);
    *tag = absl::AsciiStrToLower(Trim(*tag));
    check.Text(tag, field, Limits::kTag, true);
    if (!seen_tags.insert(*tag).second) violations.Add(check.Path(field), "duplicate tag");
  }

  if (c.emails_size() > Limits::kEmails) {
    violations.Add(check.Path("emails"), absl::StrCat("at most ", Limits::kEmails, " e-mails"));
  }
  for (int i = 0; i < c.emails_size(); ++i) {
    std::string field = absl::StrCat("emails[", i, "]");
    std::string email = Trim(c.emails(i));
    auto at = email.rfind('@');
    if (at != std::string::npos) email = email.substr(0, at + 1) + absl::AsciiStrToLower(email.substr(at + 1));
    c.set_emails(i, email);
    if (email.size() > Limits::kEmail || !ValidEmail(email)) {
      violations.Add(check.Path(field), "is not a valid e-mail address");
    }
  }

  if (c.phones_size() > Limits::kPhones) {
    violations.Add(check.Path("phones"), absl::StrCat("at most ", Limits::kPhones, " phones"));
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string region_code = region->country().empty() ? std::string(default_region) : region->country();
  for (int i = 0; i < c.phones_size(); ++i) {
    std::string field = absl::StrCat("phones[", i, "]");
    PhoneNumber number;
    std::string raw = Trim(c.phones(i));
    if (raw.size() > 64 ||
        util.Parse(raw, region_code, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
        !util.IsValidNumber(number)) {
      violations.Add(check.Path(field), absl::StrCat("\"", raw.substr(0, 64),
                                                     "\" is not a valid phone number for region ",
                                                     region_code));
      continue;
    }
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    c.set_phones(i, e164);
  }
  return violations.ToStatus("invalid customer");
}

}  // namespace crm::customers
