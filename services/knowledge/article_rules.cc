// The article rules (article_rules.h) as one table of scopes by role; each scope becomes a
// SQL condition on a.author or an in-memory check through libs/auth's visibility rules, so
// both paths agree.
#include "services/knowledge/article_rules.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/auth/visibility.h"
#include "libs/grpc/status.h"

namespace crm::knowledge {
namespace {

using auth::Scope;
constexpr Scope kNone = Scope::kNone;
constexpr Scope kOwn = Scope::kOwn;
constexpr Scope kAll = Scope::kAll;

// One scope per role for one question, in auth::RecordRules' read column (indexed by Role:
// ROLE_UNSPECIFIED, ADMIN, SALES_MANAGER, SALES_REP, MARKETING, SUPPORT); "own" means
// authored by the caller. Published articles are readable by every role.
constexpr auth::RecordRules kReadDrafts = {.read = {kNone, kAll, kAll, kOwn, kOwn, kOwn}};
constexpr auth::RecordRules kReadArchived = {.read = {kNone, kAll, kAll, kOwn, kAll, kOwn}};
constexpr auth::RecordRules kEdit = {.read = {kNone, kAll, kAll, kOwn, kOwn, kOwn}};
constexpr auth::RecordRules kPublish = {.read = {kNone, kAll, kAll, kNone, kOwn, kNone}};
constexpr auth::RecordRules kArchive = {.read = {kNone, kAll, kAll, kNone, kAll, kNone}};

constexpr auth::OwnerColumns kAuthor = {.owner = "a.author"};

const auth::RecordRules& ScopesOf(ArticleAction action) {
  switch (action) {
    case ArticleAction::kEdit:
      return kEdit;
    case ArticleAction::kPublish:
      return kPublish;
    case ArticleAction::kArchive:
      return kArchive;
    case ArticleAction::kRead:
      break;
  }
  return kReadDrafts;  // not reached: kRead depends on the state (Rows, Can)
}

const char* Verb(ArticleAction action) {
  switch (action) {
    case ArticleAction::kRead:
      return "read";
    case ArticleAction::kEdit:
      return "edit";
    case ArticleAction::kPublish:
      return "publish";
    case ArticleAction::kArchive:
      return "archive";
  }
  return "change";
}

// "a.state = <state> AND (<the caller's scope>)", its values appended to `params`; "" when
// the scope is none.
std::string InState(v1::ArticleState state, const auth::Principal& principal,
                    const auth::RecordRules& scopes, std::vector<db::Value>& params) {
  api::SqlFragment scope = auth::VisibleRows(principal, auth::Operation::kRead, scopes, kAuthor);
  if (scope.sql == "FALSE") return "";
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (scope.sql == "TRUE") return absl::StrCat("a.state = ", int{state});
  return absl::StrCat("(a.state = ", int{state}, " AND ", scope.sql, ")");
}

}  // namespace

absl::StatusOr<ArticleRules> ArticleRules::For(const service::Rpc& rpc,
                                               const auth::Caller& caller,
                                               std::string_view method) {
  CRM_RETURN_IF_ERROR(rpc.Allow(caller, method));
  return ArticleRules(caller.principal);
}

api::SqlFragment ArticleRules::Rows(ArticleAction action) const {
  if (action != ArticleAction::kRead) {
    return auth::VisibleRows(principal_, auth::Operation::kRead, ScopesOf(action), kAuthor);
  }
  if (principal_.role == auth::v1::ROLE_UNSPECIFIED) return {"FALSE", {}};
  if (kReadDrafts.ScopeFor(principal_, auth::Operation::kRead) == kAll &&
      kReadArchived.ScopeFor(principal_, auth::Operation::kRead) == kAll) {
    return {"TRUE", {}};
  }
  api::SqlFragment rows;
  rows.sql = absl::StrCat("(a.state = ", int{v1::PUBLISHED});
  for (const std::string& part : {InState(v1::DRAFT, principal_, kReadDrafts, rows.params),
                                  InState(v1::ARCHIVED, principal_, kReadArchived, rows.params)}) {
    if (!part.empty()) absl::StrAppend(&rows.sql, " OR ", part);
  }
  absl::StrAppend(&rows.sql, ")");
  return rows;
}

bool ArticleRules::Can(ArticleAction action, const ArticleFacts& article) const {
  if (action != ArticleAction::kRead) {
    return auth::CanAccess(principal_, auth::Operation::kRead, article.author, ScopesOf(action));
  }
  switch (article.state) {
    case v1::PUBLISHED:
      return principal_.role != auth::v1::ROLE_UNSPECIFIED;
    case v1::DRAFT:
      return auth::CanAccess(principal_, auth::Operation::kRead, article.author, kReadDrafts);
    case v1::ARCHIVED:
      return auth::CanAccess(principal_, auth::Operation::kRead, article.author, kReadArchived);
    default:
      return false;
  }
}

absl::Status ArticleRules::Allow(ArticleAction action, const ArticleFacts& article,
                                 std::string_view name) const {
  if (Can(action, article)) return absl::OkStatus();
  return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
               absl::StrCat("you may read ", std::string(name), " but not ", Verb(action), " it"));
}

bool ArticleRules::MayCreate(v1::ArticleKind kind) const {
  const auth::Role role = principal_.role;
  const bool editor_role =
      role == auth::v1::ADMIN || role == auth::v1::SALES_MANAGER || role == auth::v1::MARKETING;
  switch (kind) {
    case v1::SALES_TIP:
      return role != auth::v1::ROLE_UNSPECIFIED;
    case v1::PRODUCT_KNOWLEDGE:
      return editor_role;
    case v1::FAQ:
      return editor_role || role == auth::v1::SUPPORT;
    default:
      return false;
  }
}

api::SqlFragment ArticleRules::NameableProducts() const {
  // The catalog's read rule (knowledge.proto): inactive products are NOT_FOUND to all but
  // ADMIN and SALES_MANAGER, so nobody else may name one either.
  if (principal_.Is(auth::v1::ADMIN) || principal_.Is(auth::v1::SALES_MANAGER)) {
    return {"TRUE", {}};
  }
  return {"p.active = 1", {}};
}

absl::Status CheckEditable(std::string_view name, v1::ArticleState state) {
  if (state != v1::ARCHIVED) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "ARTICLE_ARCHIVED",
               absl::StrCat(std::string(name), " is archived and can no longer be changed"));
}

absl::Status CheckPublishable(std::string_view name, v1::ArticleState state, v1::ArticleKind kind,
                              bool has_body, bool has_unpublished_changes) {
  CRM_RETURN_IF_ERROR(CheckEditable(name, state));
  if (!has_unpublished_changes) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "NOTHING_TO_PUBLISH",
        absl::StrCat(std::string(name), " has no changes since its last published revision"));
  }
  if (kind == v1::FAQ && !has_body) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "BODY_REQUIRED",
        absl::StrCat(std::string(name), " is a FAQ without an answer: write the body first"));
  }
  return absl::OkStatus();
}

absl::Status CheckPublished(std::string_view name, v1::ArticleState state) {
  if (state == v1::PUBLISHED) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition, "NOT_PUBLISHED",
               absl::StrCat(std::string(name), " is not published"));
}

}  // namespace crm::knowledge
