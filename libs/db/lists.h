// Short lists of one-line strings (tags, e-mails, product names) kept in one TEXT column,
// newline-joined, so a record reads in one primary-key lookup; services keep a child table
// beside it where the items must be searchable. Validation keeps newlines out of the items.
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace crm::db {

inline std::string JoinLines(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return absl::StrJoin(items, "\n");
}

// Appends the items of `text` (JoinLines' output) to `out`; none for "".
inline void SplitLines(const std::string& text,
                       google::protobuf::RepeatedPtrField<std::string>* out) {
  if (text.empty()) return;
  for (absl::string_view item : absl::StrSplit(text, '\n')) out->Add(std::string(item));
}

}  // namespace crm::db
