#include "services/customers/validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include <phonenumbers/phonenumberutil.h>

namespace crm::customers {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Unicode white space that people paste around names, including the ideographic space.
std::string Trim(std::string_view s) {
  auto strip = [](std::string_view& v, bool front) {
    static constexpr std::string_view kSpaces[] = {" ", "\t", "\n", "\r", "\u3000", "\u00a0"};
    for (bool changed = true; changed && !v.empty();) {
      changed = false;
      for (auto sp : kSpaces) {
        if (front ? v.starts_with(sp) : v.ends_with(sp)) {
          front ? v.remove_prefix(sp.size()) : v.remove_suffix(sp.size());
          changed = true;
        }
      }
    }
  };
  strip(s, true);
  strip(s, false);
  return std::string(s);
}

bool HasControlChars(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](unsigned char c) {
    if (allow_newlines && (c == '\n' || c == '\t' || c == '\r')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

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

bool ValidEmail(std::string_view email) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= email.size()) return false;
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  for (unsigned char c : local) {
    if (!(absl::ascii_isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) !=
                                        std::string_view::npos)) {
      return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  // Domain: dot-separated labels of letters, digits and inner hyphens, at least two labels.
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (unsigned char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

size_t CodePoints(std::string_view utf8) {
  // Counts bytes that are not UTF-8 continuation bytes (10xxxxxx).
  return std::count_if(utf8.begin(), utf8.end(),
                       [](unsigned char c) { return (c & 0xC0) != 0x80; });
}

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
