// The article store's statement texts. Reads of what a caller sees and writes are prefixes:
// the store appends the caller's rule (ArticleRules::Rows) as " AND (...)" (" AND (TRUE)" for
// an ADMIN), and " FOR UPDATE" after it when a write locks the row.
#pragma once

#include <cstddef>

namespace crm::knowledge::sql {

// What a caller sees of an article (Article in knowledge.proto): `a` is the article with its
// working copy, `r` its latest published revision, joined (kFromShown) only for callers who
// do not see the working copy. So COALESCE(r.x, a.x) is the copy the caller sees, and
// "r.article_id IS NULL" says which one it is.
#define CRM_SHOWN_TITLE "COALESCE(r.title, a.title)"
#define CRM_SHOWN_UPDATE_TIME "IF(r.article_id IS NULL, a.update_time, a.public_update_time)"
#define CRM_SHOWN_REVISION "COALESCE(r.revision, 0)"

// For filters and order_by (ArticleStore::ListSpec).
inline constexpr char kShownTitle[] = CRM_SHOWN_TITLE;
inline constexpr char kShownUpdateTime[] = CRM_SHOWN_UPDATE_TIME;
// Never published: compares and sorts as the earliest time (knowledge.proto); a NULL would
// fall out of keyset pages.
inline constexpr char kShownPublishTime[] =
    "COALESCE(a.publish_time, CAST('1000-01-01 00:00:00' AS DATETIME(6)))";
// The revision rows of article_tags and article_products that hold the items shown (0: the
// working copy's).
inline constexpr char kHasTag[] =
    "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.revision "
    "= " CRM_SHOWN_REVISION " AND t.tag = ?)";
inline constexpr char kHasProduct[] =
    "EXISTS (SELECT 1 FROM article_products p WHERE p.article_id = a.id AND p.revision "
    "= " CRM_SHOWN_REVISION " AND p.product = ?)";

// The SELECT list every read of an article maps with FromRow (article_store.cc), in this
// order.
inline constexpr char kSelectShown[] =
    "SELECT a.id, a.version, a.kind, a.state, " CRM_SHOWN_TITLE
    ", COALESCE(r.body, a.body), "
    "COALESCE(r.tags, a.tags), COALESCE(r.products, a.products), a.author, a.revision, "
    "r.article_id IS NULL, a.content_hash <> a.published_hash, a.view_count, a.helpful_count, "
    "a.not_helpful_count, a.create_time, " CRM_SHOWN_UPDATE_TIME ", a.publish_time";
inline constexpr size_t kShownColumnCount = 18;
// Followed by "(<the caller's edit rule>) WHERE (<their read rule>)".
inline constexpr char kFromShown[] =
    " FROM articles a LEFT JOIN article_revisions r ON r.article_id = a.id AND "
    "r.revision = a.revision AND NOT ";
#undef CRM_SHOWN_TITLE
#undef CRM_SHOWN_UPDATE_TIME
#undef CRM_SHOWN_REVISION

// The working copy, for a read-modify-write; its first ten columns are those of kSelectShown.
inline constexpr char kLockById[] =
    "SELECT a.id, a.version, a.kind, a.state, a.title, a.body, a.tags, a.products, a.author, "
    "a.revision, a.content_hash <> a.published_hash FROM articles a WHERE a.id = ?";
inline constexpr char kReadableById[] = "SELECT a.id FROM articles a WHERE a.id = ?";

inline constexpr char kInsert[] =
    "INSERT INTO articles (kind, state, title, body, tags, products, content_hash, author, "
    "create_time, update_time, public_update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
inline constexpr char kUpdateWorkingCopy[] =
    "UPDATE articles a SET a.title = ?, a.body = ?, a.tags = ?, a.products = ?, "
    "a.content_hash = ?, a.update_time = ?, a.version = a.version + 1 WHERE a.id = ?";
inline constexpr char kPublish[] =
    "UPDATE articles a SET a.state = ?, a.revision = ?, a.published_hash = a.content_hash, "
    "a.publish_time = ?, a.update_time = ?, a.public_update_time = ?, "
    "a.version = a.version + 1 WHERE a.id = ?";
inline constexpr char kArchive[] =
    "UPDATE articles a SET a.state = ?, a.update_time = ?, a.public_update_time = ?, "
    "a.version = a.version + 1 WHERE a.id = ?";
// Only a published article's count rises, and not for its author's own reads.
inline constexpr char kRecordView[] =
    "UPDATE articles a SET a.view_count = a.view_count + 1 WHERE a.id = ? AND a.state = ? "
    "AND a.author <> ?";
inline constexpr char kAddVotes[] =
    "UPDATE articles a SET a.helpful_count = a.helpful_count + ?, "
    "a.not_helpful_count = a.not_helpful_count + ? WHERE a.id = ? AND a.state = ?";

inline constexpr char kInsertRevision[] =
    "INSERT INTO article_revisions (article_id, revision, title, body, tags, products, "
    "publisher, publish_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kSelectRevisions[] =
    "SELECT r.revision, r.title, r.body, r.tags, r.products, r.publisher, r.publish_time";
inline constexpr size_t kRevisionColumnCount = 7;
inline constexpr char kFromRevisions[] = " FROM article_revisions r WHERE TRUE";

// The working copy's items are revision 0; publishing copies them to the new revision.
inline constexpr char kInsertTags[] =
    "INSERT INTO article_tags (article_id, revision, position, tag) VALUES ";
inline constexpr char kDeleteWorkingTags[] =
    "DELETE FROM article_tags WHERE article_id = ? AND revision = 0";
inline constexpr char kPublishTags[] =
    "INSERT INTO article_tags (article_id, revision, position, tag) "
    "SELECT article_id, ?, position, tag FROM article_tags WHERE article_id = ? AND revision = 0";
inline constexpr char kInsertProducts[] =
    "INSERT INTO article_products (article_id, revision, position, product) VALUES ";
inline constexpr char kDeleteWorkingProducts[] =
    "DELETE FROM article_products WHERE article_id = ? AND revision = 0";
inline constexpr char kPublishProducts[] =
    "INSERT INTO article_products (article_id, revision, position, product) "
    "SELECT article_id, ?, position, product FROM article_products "
    "WHERE article_id = ? AND revision = 0";

inline constexpr char kFindVote[] =
    "SELECT helpful FROM article_votes WHERE article_id = ? AND voter = ? FOR UPDATE";
inline constexpr char kUpsertVote[] =
    "INSERT INTO article_votes (article_id, voter, helpful, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE helpful = VALUES(helpful), "
    "update_time = VALUES(update_time)";

// Followed by the ids' placeholders and ")": which of them the caller may name.
inline constexpr char kNameableProducts[] = "SELECT p.id FROM products p WHERE p.id IN (";

// What search indexes of an article: its state and its latest published revision.
inline constexpr char kSearchableRevision[] =
    "SELECT a.state, r.title, r.tags, r.body FROM articles a JOIN article_revisions r ON "
    "r.article_id = a.id AND r.revision = a.revision WHERE a.id = ?";

}  // namespace crm::knowledge::sql
