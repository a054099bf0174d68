// Input rules for customers: what a valid customer is, and the normal form it is stored
// in (trimmed text, E.164 phones, lower-case tags and e-mail domains). The limits are the
// ones documented in proto/crm/customers/v1/customers.proto.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "crm/customers/v1/customers.pb.h"

namespace crm::customers {

struct Limits {
  static constexpr int kDisplayName = 200;
  static constexpr int kShortText = 64;  // industry, province, city, source, owner
  static constexpr int kAddress = 500;
  static constexpr int kNotes = 4000;
  static constexpr int kTags = 20;
  static constexpr int kTag = 32;
  static constexpr int kEmails = 10;
  static constexpr int kEmail = 254;
  static constexpr int kPhones = 10;
  static constexpr int kExternalId = 128;
  static constexpr int kContactText = 64;  // title, department
};

// Normalises `customer` in place and checks every rule, reporting every violation at
// once with paths under `prefix` (e.g. "customer.phones[1]"). Output-only fields are not
// looked at, except company_match_key, which is set from the name (empty for people).
// `default_region` (ISO 3166 alpha-2) is used for national-format phones when the customer
// has no region.country.
absl::Status NormalizeAndValidate(v1::Customer& customer, std::string_view prefix,
                                  std::string_view default_region);

// The same for a contact; `phone_region` reads its national-format phones (the customer's
// country, else the default region).
absl::Status NormalizeAndValidateContact(v1::Contact& contact, std::string_view prefix,
                                         std::string_view phone_region);

// The region national-format phones of `customer` are read in.
std::string PhoneRegionOf(const v1::Customer& customer, std::string_view default_region);

}  // namespace crm::customers
