#include "services/knowledge/article_store.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/base/hash.h"
#include "libs/base/time.h"
#include "libs/db/lists.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/knowledge/article_event_types.h"
#include "services/knowledge/article_sql.h"
#include "services/knowledge/search_index.h"

namespace crm::knowledge {
namespace {

constexpr char kCollection[] = "articles";
constexpr char kProductsField[] = "article.products";

absl::Status NotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "ARTICLE_NOT_FOUND",
               absl::StrCat(api::ResourceName(kCollection, id), " does not exist"));
}

// Which copy of an article a read shows, as the two conditions of kFromShown: the articles
// whose working copy is shown (the others show their latest revision) and the articles
// returned at all.
struct View {
  api::SqlFragment working_copy;
  api::SqlFragment readable;
};

// What the caller may see.
View CallerView(const ArticleRules& rules) {
  return {rules.Rows(ArticleAction::kEdit), rules.Rows(ArticleAction::kRead)};
}
// What readers see, for the payload of events about what is in circulation.
View PublishedView() { return {{"FALSE", {}}, {"TRUE", {}}}; }

// " FROM ... WHERE (<readable>)": the articles `view` includes, each joined to the copy it
// shows, for a caller to continue with " AND ...".
api::SqlFragment ShownFrom(const View& view) {
  api::SqlFragment from;
  from.sql = absl::StrCat(sql::kFromShown, "(", view.working_copy.sql, ") WHERE (",
                          view.readable.sql, ")");
  from.params = view.working_copy.params;
  from.params.insert(from.params.end(), view.readable.params.begin(), view.readable.params.end());
  return from;
}

// "SELECT <shown columns> FROM ... WHERE (<readable>)".
api::SqlFragment SelectShown(const View& view) {
  api::SqlFragment select = ShownFrom(view);
  select.sql.insert(0, sql::kSelectShown);
  return select;
}

// Columns 0-9 of kSelectShown and kLockById, which share their order: what an article is.
v1::Article ArticleFromRow(const db::Row& row) {
  v1::Article a;
  a.set_name(api::ResourceName(kCollection, row.Int(0)));
  a.set_etag(api::EtagFromVersion(row.Int(1)));
  a.set_kind(static_cast<v1::ArticleKind>(row.Int(2)));
  a.set_state(static_cast<v1::ArticleState>(row.Int(3)));
  a.set_title(row.Str(4));
  a.set_body(row.Str(5));
  db::SplitLines(row.Str(6), a.mutable_tags());
  db::SplitLines(row.Str(7), a.mutable_products());
  a.set_author(row.Str(8));
  a.set_revision(static_cast<int32_t>(row.Int(9)));
  return a;
}

// A row of kSelectShown.
v1::Article FromRow(const db::Row& row) {
  v1::Article a = ArticleFromRow(row);
  const bool working_copy = row.Int(10) != 0;
  a.set_has_unpublished_changes(working_copy && row.Int(11) != 0);
  a.set_view_count(row.Int(12));
  a.set_helpful_count(row.Int(13));
  a.set_not_helpful_count(row.Int(14));
  *a.mutable_create_time() = TimestampFromDateTime(row.Str(15));
  *a.mutable_update_time() = TimestampFromDateTime(row.Str(16));
  if (!row.IsNull(17)) *a.mutable_publish_time() = TimestampFromDateTime(row.Str(17));
  return a;
}

// Article `id` as `view` shows it; ARTICLE_NOT_FOUND when the view does not include it.
absl::StatusOr<v1::Article> ReadShown(db::Session& session, int64_t id, const View& view) {
  api::SqlFragment select = SelectShown(view);
  absl::StrAppend(&select.sql, " AND a.id = ?");
  select.params.push_back(id);
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session.Query(select.sql, select.params));
  if (rows.empty()) return NotFound(id);
  return FromRow(rows[0]);
}

// The article as the caller now sees it, into `shown`, and the event `type` carrying it as
// readers see it (what is in circulation).
absl::Status ShowAndAnnounce(db::Transaction& tx, const ArticleRules& rules, int64_t id,
                             const char* type, v1::Article& shown) {
  CRM_ASSIGN_OR_RETURN(shown, ReadShown(tx, id, CallerView(rules)));
  CRM_ASSIGN_OR_RETURN(const v1::Article event, ReadShown(tx, id, PublishedView()));
  return events::Append(tx, {.type = type, .resource = event.name(), .actor = rules.actor()},
                        event);
}

// The working copy of an article locked for a change.
struct LockedArticle {
  v1::Article working_copy;  // ArticleFromRow's fields
  int64_t version = 0;
  bool has_unpublished_changes = false;

  ArticleFacts facts() const { return {working_copy.author(), working_copy.state()}; }
  const std::string& name() const { return working_copy.name(); }
};

// Locks article `id` (SELECT … FOR UPDATE) if the caller may read it; ARTICLE_NOT_FOUND
// otherwise.
absl::StatusOr<LockedArticle> Lock(db::Transaction& tx, const ArticleRules& rules, int64_t id) {
  const api::SqlFragment readable = rules.Rows(ArticleAction::kRead);
  std::vector<db::Value> params = {id};
  params.insert(params.end(), readable.params.begin(), readable.params.end());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(absl::StrCat(sql::kLockById, " AND (", readable.sql, ") FOR UPDATE"), params));
  if (rows.empty()) return NotFound(id);
  LockedArticle locked{.working_copy = ArticleFromRow(rows[0]),
                       .version = rows[0].Int(1),
                       .has_unpublished_changes = rows[0].Int(10) != 0};
  return locked;
}

// Lock, then the checks every change starts with, in this order: the caller's right to
// `action` (PERMISSION_DENIED) and the etag (ABORTED, ETAG_MISMATCH).
absl::StatusOr<LockedArticle> LockFor(db::Transaction& tx, const ArticleRules& rules,
                                      ArticleAction action, int64_t id,
                                      std::optional<int64_t> expected_version) {
  CRM_ASSIGN_OR_RETURN(LockedArticle locked, Lock(tx, rules, id));
  CRM_RETURN_IF_ERROR(rules.Allow(action, locked.facts(), locked.name()));
  CRM_RETURN_IF_ERROR(api::CheckVersion(locked.name(), locked.version, expected_version));
  return locked;
}

// Runs `statement` (an UPDATE of `articles a` ending in "WHERE a.id = ? ...") with the
// caller's rule for `action` ANDed in. The article was locked and checked with the same
// rules, so anything but one changed row means the SQL and in-memory rules disagree: refused
// rather than written.
absl::Status WriteChecked(db::Transaction& tx, const ArticleRules& rules, ArticleAction action,
                          std::string_view statement, std::vector<db::Value> params) {
  const api::SqlFragment rule = rules.Rows(action);
  params.insert(params.end(), rule.params.begin(), rule.params.end());
  CRM_ASSIGN_OR_RETURN(
      uint64_t changed,
      tx.Execute(absl::StrCat(std::string(statement), " AND (", rule.sql, ")"), params));
  if (changed != 1) {
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "you may not change this article");
  }
  return absl::OkStatus();
}

// What an article says, for telling whether the working copy differs from the last revision:
// SHA-256 of its length-prefixed parts, so no two different articles share a text.
std::string ContentHash(const v1::Article& a) {
  std::string text;
  auto add = [&text](const std::string& part) { absl::StrAppend(&text, part.size(), ":", part); };
  add(a.title());
  add(a.body());
  add(db::JoinLines(a.tags()));
  add(db::JoinLines(a.products()));
  return Sha256Hex(text);
}

// Replaces the working copy's rows (revision 0) of a child table with `items`, in one
// multi-row insert. A new article has none to delete (`delete_sql` null).
absl::Status WriteWorkingItems(db::Transaction& tx, const char* delete_sql,
                               const char* insert_prefix, int64_t id,
                               const google::protobuf::RepeatedPtrField<std::string>& items) {
  if (delete_sql != nullptr) CRM_RETURN_IF_ERROR(tx.Execute(delete_sql, {id}).status());
  if (items.empty()) return absl::OkStatus();
  std::string text = insert_prefix;
  std::vector<db::Value> params;
  for (int i = 0; i < items.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ", ", "(?, 0, ?, ?)");
    params.insert(params.end(), {id, int64_t{i}, items[i]});
  }
  return tx.Execute(text, params).status();
}

absl::Status WriteWorkingCopyItems(db::Transaction& tx, int64_t id, const v1::Article& a,
                                   bool is_new) {
  CRM_RETURN_IF_ERROR(WriteWorkingItems(tx, is_new ? nullptr : sql::kDeleteWorkingTags,
                                        sql::kInsertTags, id, a.tags()));
  return WriteWorkingItems(tx, is_new ? nullptr : sql::kDeleteWorkingProducts, sql::kInsertProducts,
                           id, a.products());
}

// INVALID_ARGUMENT on article.products[i] for every product `article` names that does not
// exist or that the caller may not see, leaving out those in `already_named` (an article
// keeps naming a product that was deactivated after it was named).
absl::Status CheckProducts(db::Session& tx, const ArticleRules& rules, const v1::Article& article,
                           const google::protobuf::RepeatedPtrField<std::string>& already_named) {
  const std::set<std::string> kept(already_named.begin(), already_named.end());
  std::vector<std::pair<int, int64_t>> asked;  // index in article.products(), product id
  for (int i = 0; i < article.products_size(); ++i) {
    if (kept.contains(article.products(i))) continue;
    // NormalizeArticle accepted the names; one that does not parse is not a product either.
    absl::StatusOr<int64_t> id = api::ParseResourceId(article.products(i), "products");
    asked.emplace_back(i, id.ok() ? *id : 0);
  }
  if (asked.empty()) return absl::OkStatus();

  std::string text = sql::kNameableProducts;
  std::vector<db::Value> params;
  for (const auto& [index, id] : asked) {
    absl::StrAppend(&text, params.empty() ? "?" : ", ?");
    params.push_back(id);
  }
  const api::SqlFragment nameable = rules.NameableProducts();
  absl::StrAppend(&text, ") AND (", nameable.sql, ")");
  params.insert(params.end(), nameable.params.begin(), nameable.params.end());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(text, params));
  std::set<int64_t> found;
  for (const db::Row& row : rows) found.insert(row.Int(0));

  Violations violations;
  for (const auto& [index, id] : asked) {
    if (!found.contains(id)) {
      violations.Add(absl::StrCat(kProductsField, "[", index, "]"), "is not an existing product");
    }
  }
  return violations.ToStatus("invalid article");
}

v1::ArticleRevision RevisionFromRow(int64_t article_id, const db::Row& row) {
  v1::ArticleRevision r;
  r.set_name(absl::StrCat(api::ResourceName(kCollection, article_id), "/revisions/", row.Int(0)));
  r.set_revision(static_cast<int32_t>(row.Int(0)));
  r.set_title(row.Str(1));
  r.set_body(row.Str(2));
  db::SplitLines(row.Str(3), r.mutable_tags());
  db::SplitLines(row.Str(4), r.mutable_products());
  r.set_publisher(row.Str(5));
  *r.mutable_publish_time() = TimestampFromDateTime(row.Str(6));
  return r;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "kind",
           .type = api::FieldType::kEnum,
           .column = "a.kind",
           .enum_values = api::EnumValues(*v1::ArticleKind_descriptor())},
          {.name = "state",
           .type = api::FieldType::kEnum,
           .column = "a.state",
           .enum_values = api::EnumValues(*v1::ArticleState_descriptor())},
          {.name = "author", .column = "a.author"},
          {.name = "title", .column = sql::kShownTitle, .orderable = true},
          {.name = "tags", .has_sql = sql::kHasTag},
          {.name = "products", .has_sql = sql::kHasProduct},
          {.name = "create_time",
           .type = api::FieldType::kTimestamp,
           .column = "a.create_time",
           .orderable = true},
          {.name = "update_time",
           .type = api::FieldType::kTimestamp,
           .column = sql::kShownUpdateTime,
           .orderable = true},
          {.name = "publish_time",
           .type = api::FieldType::kTimestamp,
           .column = sql::kShownPublishTime,
           .orderable = true},
          {.name = "view_count",
           .type = api::FieldType::kInt64,
           .column = "a.view_count",
           .orderable = true},
          {.name = "helpful_count",
           .type = api::FieldType::kInt64,
           .column = "a.helpful_count",
           .orderable = true},
      },
      "a.id");
  return *fields;
}

const api::ResourceFields& RevisionFields() {
  // The revision number is unique within an article, so it is its own tie-breaker.
  static const auto* fields = new api::ResourceFields({{.name = "revision",
                                                        .type = api::FieldType::kInt64,
                                                        .column = "r.revision",
                                                        .orderable = true}},
                                                      "r.revision");
  return *fields;
}

}  // namespace

ArticleStore::ArticleStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

const api::ListSpec& ArticleStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "update_time desc"};
  return spec;
}

const api::ListSpec& ArticleStore::RevisionListSpec() {
  static const api::ListSpec spec{.fields = &RevisionFields(), .default_order = "revision desc"};
  return spec;
}

absl::StatusOr<v1::Article> ArticleStore::Create(const ArticleRules& rules,
                                                 const v1::Article& input,
                                                 const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Article>(
      pool_, key, [&](db::Transaction& tx, v1::Article& created) -> absl::Status {
        CRM_RETURN_IF_ERROR(CheckProducts(tx, rules, input, {}));
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_ASSIGN_OR_RETURN(
            db::Rows rows,
            tx.Query(sql::kInsert,
                     {int64_t{input.kind()}, int64_t{v1::DRAFT}, input.title(), input.body(),
                      db::JoinLines(input.tags()), db::JoinLines(input.products()),
                      ContentHash(input), rules.actor(), now, now, now}));
        if (rows.empty()) return absl::InternalError("insert returned no id");
        const int64_t id = rows[0].Int(0);
        CRM_RETURN_IF_ERROR(WriteWorkingCopyItems(tx, id, input, /*is_new=*/true));
        // Its author sees the working copy, which is what the event carries.
        CRM_ASSIGN_OR_RETURN(created, ReadShown(tx, id, CallerView(rules)));
        return events::Append(
            tx, {.type = kArticleCreatedEvent, .resource = created.name(), .actor = rules.actor()},
            created);
      });
}

absl::StatusOr<v1::Article> ArticleStore::Get(const ArticleRules& rules, int64_t id,
                                              bool record_view) {
  if (record_view) {
    // Its own small transaction: a count, not worth holding the reader up for, and retried
    // on a deadlock with an editor's lock like any write.
    CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      const api::SqlFragment readable = rules.Rows(ArticleAction::kRead);
      std::vector<db::Value> params = {id, int64_t{v1::PUBLISHED}, rules.actor()};
      params.insert(params.end(), readable.params.begin(), readable.params.end());
      return tx.Execute(absl::StrCat(sql::kRecordView, " AND (", readable.sql, ")"), params)
          .status();
    }));
  }
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return ReadShown(*session, id, CallerView(rules));
}

absl::StatusOr<api::Page<v1::Article>> ArticleStore::List(const ArticleRules& rules,
                                                          const api::ListQuery& query) {
  // The caller's rule is in the FROM ... WHERE, first and on its own: no filter, however
  // written, can widen it. ListPage binds its condition's values right after the text of
  // `from_where`, so the values of that text travel as those of an always-true condition.
  const api::SqlFragment from = ShownFrom(CallerView(rules));
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return records::ListPage<v1::Article>(*session, sql::kSelectShown, sql::kShownColumnCount,
                                        from.sql, {.sql = "TRUE", .params = from.params}, query,
                                        FromRow);
}

absl::StatusOr<v1::Article> ArticleStore::Update(const ArticleRules& rules, int64_t id,
                                                 std::optional<int64_t> expected_version,
                                                 const Mutation& mutate,
                                                 const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Article>(
      pool_, key, [&](db::Transaction& tx, v1::Article& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const LockedArticle current,
                             LockFor(tx, rules, ArticleAction::kEdit, id, expected_version));
        CRM_RETURN_IF_ERROR(CheckEditable(current.name(), current.working_copy.state()));

        v1::Article edited = current.working_copy;
        CRM_RETURN_IF_ERROR(mutate(edited));
        CRM_RETURN_IF_ERROR(CheckProducts(tx, rules, edited, current.working_copy.products()));
        CRM_RETURN_IF_ERROR(
            WriteChecked(tx, rules, ArticleAction::kEdit, sql::kUpdateWorkingCopy,
                         {edited.title(), edited.body(), db::JoinLines(edited.tags()),
                          db::JoinLines(edited.products()), ContentHash(edited),
                          db::FormatDateTime(clock_.Now()), id}));
        CRM_RETURN_IF_ERROR(WriteWorkingCopyItems(tx, id, edited, /*is_new=*/false));
        // An editor sees the working copy, which is what the event carries.
        CRM_ASSIGN_OR_RETURN(updated, ReadShown(tx, id, CallerView(rules)));
        return events::Append(tx,
                              {.type = kArticleUpdatedEvent,
                               .resource = updated.name(),
                               .actor = rules.actor(),
                               .changed_paths = api::ChangedPaths(current.working_copy, edited,
                                                                  {"title", "body", "tags",
                                                                   "products"})},
                              updated);
      });
}

absl::StatusOr<v1::Article> ArticleStore::Publish(const ArticleRules& rules, int64_t id,
                                                  std::optional<int64_t> expected_version,
                                                  const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Article>(
      pool_, key, [&](db::Transaction& tx, v1::Article& published) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const LockedArticle current,
                             LockFor(tx, rules, ArticleAction::kPublish, id, expected_version));
        const v1::Article& copy = current.working_copy;
        CRM_RETURN_IF_ERROR(CheckPublishable(copy.name(), copy.state(), copy.kind(),
                                             !copy.body().empty(),
                                             current.has_unpublished_changes));

        const int64_t revision = int64_t{copy.revision()} + 1;
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kInsertRevision,
                       {id, revision, copy.title(), copy.body(), db::JoinLines(copy.tags()),
                        db::JoinLines(copy.products()), rules.actor(), now})
                .status());
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kPublishTags, {revision, id}).status());
        CRM_RETURN_IF_ERROR(tx.Execute(sql::kPublishProducts, {revision, id}).status());
        CRM_RETURN_IF_ERROR(WriteChecked(tx, rules, ArticleAction::kPublish, sql::kPublish,
                                         {int64_t{v1::PUBLISHED}, revision, now, now, now, id}));
        CRM_RETURN_IF_ERROR(Reindex(tx, id));
        return ShowAndAnnounce(tx, rules, id, kArticlePublishedEvent, published);
      });
}

absl::StatusOr<v1::Article> ArticleStore::Archive(const ArticleRules& rules, int64_t id,
                                                  std::optional<int64_t> expected_version,
                                                  const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Article>(
      pool_, key, [&](db::Transaction& tx, v1::Article& archived) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const LockedArticle current,
                             LockFor(tx, rules, ArticleAction::kArchive, id, expected_version));
        CRM_RETURN_IF_ERROR(CheckPublished(current.name(), current.working_copy.state()));

        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(WriteChecked(tx, rules, ArticleAction::kArchive, sql::kArchive,
                                         {int64_t{v1::ARCHIVED}, now, now, id}));
        CRM_RETURN_IF_ERROR(Reindex(tx, id));
        return ShowAndAnnounce(tx, rules, id, kArticleArchivedEvent, archived);
      });
}

absl::StatusOr<v1::Article> ArticleStore::Rate(const ArticleRules& rules, int64_t id, bool helpful,
                                               const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Article>(
      pool_, key, [&](db::Transaction& tx, v1::Article& rated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(const LockedArticle current, Lock(tx, rules, id));
        CRM_RETURN_IF_ERROR(CheckPublished(current.name(), current.working_copy.state()));

        CRM_ASSIGN_OR_RETURN(db::Rows votes, tx.Query(sql::kFindVote, {id, rules.actor()}));
        const std::optional<bool> previous =
            votes.empty() ? std::nullopt : std::optional<bool>(votes[0].Int(0) != 0);
        if (previous == helpful) {  // the same vote again changes nothing
          CRM_ASSIGN_OR_RETURN(rated, ReadShown(tx, id, CallerView(rules)));
          return absl::OkStatus();
        }
        // The counts follow the votes: a first vote adds one, a changed one moves one.
        const int64_t to_helpful = (helpful ? 1 : 0) - (previous == true ? 1 : 0);
        const int64_t to_not_helpful = (helpful ? 0 : 1) - (previous == false ? 1 : 0);
        CRM_RETURN_IF_ERROR(WriteChecked(tx, rules, ArticleAction::kRead, sql::kAddVotes,
                                         {to_helpful, to_not_helpful, id, int64_t{v1::PUBLISHED}}));
        const std::string now = db::FormatDateTime(clock_.Now());
        CRM_RETURN_IF_ERROR(
            tx.Execute(sql::kUpsertVote, {id, rules.actor(), int64_t{helpful}, now, now}).status());
        return ShowAndAnnounce(tx, rules, id, kArticleRatedEvent, rated);
      });
}

absl::StatusOr<api::Page<v1::ArticleRevision>> ArticleStore::ListRevisions(
    const ArticleRules& rules, int64_t id, const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  const api::SqlFragment readable = rules.Rows(ArticleAction::kRead);
  std::vector<db::Value> params = {id};
  params.insert(params.end(), readable.params.begin(), readable.params.end());
  CRM_ASSIGN_OR_RETURN(
      db::Rows found,
      session->Query(absl::StrCat(sql::kReadableById, " AND (", readable.sql, ")"), params));
  if (found.empty()) return NotFound(id);

  return records::ListPage<v1::ArticleRevision>(
      *session, sql::kSelectRevisions, sql::kRevisionColumnCount, sql::kFromRevisions,
      {.sql = "r.article_id = ?", .params = {id}}, query,
      [id](const db::Row& row) { return RevisionFromRow(id, row); });
}

absl::Status ArticleStore::Reindex(db::Transaction& tx, int64_t id) {
  // The latest published revision of a PUBLISHED article is what readers find; an archived
  // one leaves the index. Inside the write's transaction, so the index never shows what was
  // rolled back.
  CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql::kSearchableRevision, {id}));
  if (rows.empty() || rows[0].Int(0) != v1::PUBLISHED) {
    return search::Remove(tx, ArticleIndex(), id);
  }
  const std::vector<search::SearchField> fields =
      ArticleSearchFields(rows[0].Str(1), rows[0].Str(2), rows[0].Str(3));
  return search::Index(tx, ArticleIndex(), id, fields);
}

}  // namespace crm::knowledge
