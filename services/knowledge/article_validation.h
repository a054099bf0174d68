// The request rules for an article's editable fields (limits from knowledge.proto), with every
// violation reported at once under its API path ("article.tags[2]").
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "crm/knowledge/v1/knowledge.pb.h"

namespace crm::knowledge {

struct ArticleLimits {
  static constexpr size_t kTitle = 200;
  static constexpr size_t kBody = 20000;
  static constexpr int kTags = 10;
  static constexpr size_t kTag = 32;
  static constexpr int kProducts = 20;
};

// Checks kind (required, known), title (required), body (Markdown, newlines allowed), tags
// (lower-cased, no duplicates) and products ("products/{id}", each once) of `article`, which
// the request names `prefix` ("article"), and puts each value in its stored form (trimmed,
// tags lower case). INVALID_ARGUMENT with one field violation per problem. Whether the
// products exist is the store's question.
absl::Status NormalizeArticle(v1::Article& article, std::string_view prefix);

}  // namespace crm::knowledge
