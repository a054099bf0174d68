// Small helpers both record kinds use for their optional links to other services' records and
// for their update masks.
#pragma once

#include <google/protobuf/field_mask.pb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/api/resource.h"

namespace crm::activities {

// "collection/{id}", or "" for 0 (no link): how a link column reads back.
inline std::string LinkName(std::string_view collection, int64_t id) {
  return id == 0 ? std::string() : api::ResourceName(collection, id);
}

// The id of a validated link, 0 for none: how a link is stored.
inline int64_t LinkId(const std::string& name, std::string_view collection) {
  if (name.empty()) return 0;
  absl::StatusOr<int64_t> id = api::ParseResourceId(name, collection);
  return id.ok() ? *id : 0;
}

// `text` cut to `limit` characters (code points, not bytes), for titles made from others'.
inline std::string Shortened(std::string text, size_t limit = 200) {
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++characters > limit) {
      text.resize(i);
      break;
    }
  }
  return text;
}

// Whether an update mask replaces `path` ("*" replaces every updatable path).
inline bool MaskNames(const google::protobuf::FieldMask& mask, std::string_view path) {
  for (const std::string& p : mask.paths()) {
    if (p == "*" || p == path) return true;
  }
  return false;
}

}  // namespace crm::activities
