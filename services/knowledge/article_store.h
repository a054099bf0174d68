// SQL for the knowledge base: every statement a named constant in article_sql.h, every value
// bound. Writes run in one transaction with their outbox event and idempotency record.
//
// An article is a working copy (what editors change) and the revisions published from it
// (what readers see). Every read returns the article as the caller may see it: the working
// copy to those who may edit it, the latest published revision to everyone else (Article in
// knowledge.proto). Every read and write ANDs in the caller's ArticleRules, so an article the
// caller may not read is ARTICLE_NOT_FOUND, as if it did not exist, and one they may read
// but not change is PERMISSION_DENIED.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "crm/knowledge/v1/knowledge.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "services/knowledge/article_rules.h"

namespace crm::knowledge {

class ArticleStore final {
 public:
  ArticleStore(db::Pool& pool, const Clock& clock);

  // What ListArticles accepts: the filter/order whitelist (over what the caller sees), the
  // default order and page sizes.
  static const api::ListSpec& ListSpec();
  // ListArticleRevisions: newest first.
  static const api::ListSpec& RevisionListSpec();

  // Inserts a validated DRAFT authored by the caller. Named products must exist and be
  // visible to the caller (INVALID_ARGUMENT on article.products[i]). A retry with the same
  // key returns the first result.
  absl::StatusOr<v1::Article> Create(const ArticleRules& rules, const v1::Article& article,
                                     const db::IdempotencyKey& key);

  // The article as the caller sees it; ARTICLE_NOT_FOUND when missing or not readable. With
  // `record_view`, a published article read by someone other than its author counts the view
  // first (in a transaction of its own), so the result includes it.
  absl::StatusOr<v1::Article> Get(const ArticleRules& rules, int64_t id, bool record_view);

  // One page of the articles the caller may read that match the query.
  absl::StatusOr<api::Page<v1::Article>> List(const ArticleRules& rules,
                                              const api::ListQuery& query);

  // Locks the article (ARTICLE_NOT_FOUND unless readable, PERMISSION_DENIED unless the
  // caller may edit it), checks `expected_version` (ABORTED, ETAG_MISMATCH) and the state
  // (ARTICLE_ARCHIVED), lets `mutate` change the working copy (its error aborts the update),
  // checks newly named products, and writes it back.
  using Mutation = std::function<absl::Status(v1::Article& working_copy)>;
  absl::StatusOr<v1::Article> Update(const ArticleRules& rules, int64_t id,
                                     std::optional<int64_t> expected_version,
                                     const Mutation& mutate, const db::IdempotencyKey& key);

  // Snapshots the working copy as revision n+1 and makes the article PUBLISHED, with the
  // same checks as Update for publishing (CheckPublishable).
  absl::StatusOr<v1::Article> Publish(const ArticleRules& rules, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const db::IdempotencyKey& key);

  // PUBLISHED → ARCHIVED (NOT_PUBLISHED from any other state).
  absl::StatusOr<v1::Article> Archive(const ArticleRules& rules, int64_t id,
                                      std::optional<int64_t> expected_version,
                                      const db::IdempotencyKey& key);

  // Records the caller's vote on a published article they may read (NOT_PUBLISHED
  // otherwise), replacing their earlier one; the article with the new counts.
  absl::StatusOr<v1::Article> Rate(const ArticleRules& rules, int64_t id, bool helpful,
                                   const db::IdempotencyKey& key);

  // One page of the published revisions of an article the caller may read, newest first.
  absl::StatusOr<api::Page<v1::ArticleRevision>> ListRevisions(const ArticleRules& rules,
                                                               int64_t id,
                                                               const api::ListQuery& query);

 private:
  // Where the search index (libs/search, written in the same transaction) hears that what
  // readers can find of article `id` changed: a new published revision, or the article
  // leaving circulation. Called at every such write point (Publish, Archive); does nothing
  // until the index exists.
  absl::Status Reindex(db::Transaction& tx, int64_t id);

  db::Pool& pool_;
  const Clock& clock_;
};

}  // namespace crm::knowledge
