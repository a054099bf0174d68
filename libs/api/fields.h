// Checking the fields people type, with every violation reported at once under its API path
// ("customer.phones[1]"), and each value put in the normal form it is stored in: the one
// definition of text, e-mail and phone rules every service uses, so a value accepted by one
// service is accepted by the others.
//
//   Violations violations;
//   api::FieldChecker check(violations, "customer");
//   check.Text(c.mutable_display_name(), "display_name", 200, /*required=*/true);
//   check.Email(c.mutable_emails(0), "emails[0]");
//   check.Phone(c.mutable_phones(0), "phones[0]", "CN");
//   return violations.ToStatus("invalid customer");
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>
#include <string_view>

#include "libs/grpc/status.h"

namespace crm::api {

class FieldChecker final {
 public:
  // `prefix` is the request's path to the message being checked ("" at the top level).
  FieldChecker(Violations& violations, std::string_view prefix)
      : violations_(violations), prefix_(prefix) {}

  // "prefix.field".
  std::string Path(std::string_view field) const;
  void Add(std::string_view field, std::string_view description);

  // Trims `value` and checks that it has at most `max` characters (code points) and no
  // control characters (newlines allowed only when `multiline`); empty fails when `required`.
  void Text(std::string* value, std::string_view field, size_t max, bool required,
            bool multiline = false);
  // Trims `value`, lower-cases its domain and checks it is an e-mail address (text.h's rule).
  // Empty fails when `required`.
  void Email(std::string* value, std::string_view field, bool required = false);
  // Parses `value` as a phone number (national formats for `default_region`, an ISO 3166
  // alpha-2 code such as "CN") with libphonenumber and replaces it with its E.164 form
  // ("0571-8888 6666" → "+8657188886666"). Numbers that are not valid for their region fail.
  void Phone(std::string* value, std::string_view field, std::string_view default_region);
  // Trims and upper-cases an ISO 3166-1 alpha-2 country code ("cn" → "CN"); empty is allowed.
  void Country(std::string* value, std::string_view field);
  // At most `max` items in a repeated field.
  void Count(int size, std::string_view field, int max, std::string_view what);
  // Tags: at most `max_count`, each trimmed, lower-cased (ASCII letters; the columns compare
  // case-insensitively anyway) and checked as Text of at most `max_length` characters; a
  // repeated tag is reported on its second occurrence ("tags[3]").
  void Tags(google::protobuf::RepeatedPtrField<std::string>* tags, std::string_view field,
            int max_count, size_t max_length);

 private:
  Violations& violations_;
  std::string prefix_;
};

// The same rules for one value, outside a message.
absl::StatusOr<std::string> NormalizePhone(std::string_view raw, std::string_view default_region);

}  // namespace crm::api
