#include "libs/api/fields.h"

#include <phonenumbers/phonenumberutil.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/text.h"

namespace crm::api {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxPhoneInput = 64;

}  // namespace

std::string FieldChecker::Path(std::string_view field) const {
  return prefix_.empty() ? std::string(field) : absl::StrCat(prefix_, ".", std::string(field));
}

void FieldChecker::Add(std::string_view field, std::string_view description) {
  violations_.Add(Path(field), std::string(description));
}

void FieldChecker::Text(std::string* value, std::string_view field, size_t max, bool required,
                        bool multiline) {
  *value = Trim(*value);
  if (value->empty()) {
    if (required) Add(field, "is required");
    return;
  }
  if (CodePoints(*value) > max) Add(field, absl::StrCat("must be at most ", max, " characters"));
  if (HasControlChars(*value, multiline)) Add(field, "must not contain control characters");
}

void FieldChecker::Email(std::string* value, std::string_view field, bool required) {
  *value = Trim(*value);
  if (value->empty()) {
    if (required) Add(field, "is required");
    return;
  }
  // The local part may be case-sensitive (RFC 5321); the domain never is.
  if (auto at = value->rfind('@'); at != std::string::npos) {
    *value = value->substr(0, at + 1) + absl::AsciiStrToLower(value->substr(at + 1));
  }
  if (!ValidEmail(*value)) Add(field, "is not a valid e-mail address");
}

void FieldChecker::Phone(std::string* value, std::string_view field,
                         std::string_view default_region) {
  absl::StatusOr<std::string> e164 = NormalizePhone(*value, default_region);
  if (e164.ok()) {
    *value = *std::move(e164);
  } else {
    Add(field, std::string(e164.status().message()));
  }
}

void FieldChecker::Country(std::string* value, std::string_view field) {
  *value = absl::AsciiStrToUpper(Trim(*value));
  if (!value->empty() && (value->size() != 2 || !absl::ascii_isalpha((*value)[0]) ||
                          !absl::ascii_isalpha((*value)[1]))) {
    Add(field, "must be an ISO 3166-1 alpha-2 code like \"CN\"");
  }
}

void FieldChecker::Count(int size, std::string_view field, int max, std::string_view what) {
  if (size > max) Add(field, absl::StrCat("at most ", max, " ", std::string(what)));
}

void FieldChecker::Tags(google::protobuf::RepeatedPtrField<std::string>* tags,
                        std::string_view field, int max_count, size_t max_length) {
  Count(tags->size(), field, max_count, "tags");
  std::set<std::string> seen;
  for (int i = 0; i < tags->size(); ++i) {
    const std::string item = absl::StrCat(std::string(field), "[", i, "]");
    std::string* tag = tags->Mutable(i);
    *tag = absl::AsciiStrToLower(Trim(*tag));
    Text(tag, item, max_length, /*required=*/true);
    if (!seen.insert(*tag).second) Add(item, "duplicate tag");
  }
}

absl::StatusOr<std::string> NormalizePhone(std::string_view raw_input,
                                           std::string_view default_region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const std::string raw = Trim(raw_input);
  PhoneNumber number;
  if (raw.size() > kMaxPhoneInput ||
      util.Parse(raw, std::string(default_region), &number) !=
          PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", raw.substr(0, kMaxPhoneInput),
                                                   "\" is not a valid phone number for region ",
                                                   std::string(default_region)));
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace crm::api
