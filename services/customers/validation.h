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
};

// Normalises `customer` in place and checks every rule, reporting every violation at
// once with paths under `prefix` (e.g. "customer.phones[1]"). Output-only fields are not
// looked at. `default_region` (ISO 3166 alpha-2) is used for national-format phones when
// the customer has no region.country.
absl::Status NormalizeAndValidate(v1::Customer& customer, std::string_view prefix,
                                  std::string_view default_region);

}  // namespace crm::customers
