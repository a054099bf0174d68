// Who may do what to which article: the access rules at the top of
// proto/crm/knowledge/v1/knowledge.proto, in one place. A handler asks once per call:
//
//   CRM_ASSIGN_OR_RETURN(const ArticleRules rules, ArticleRules::For(rpc_, caller, kMethod));
//
// and hands `rules` to ArticleStore, which ANDs rules.Rows(...) into every statement (so an
// article the caller may not read is never returned, listed, matched or counted: it is
// ARTICLE_NOT_FOUND, as if it did not exist) and checks rules.Allow(...) on the locked row
// (an article they may read but not change is PERMISSION_DENIED). Both forms come from the
// same table (article_rules.cc), so they cannot disagree.
//
// Articles are not owned records in the libs/records sense: the author never changes and
// teams play no part, so the rules need no lookup in the auth service.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/knowledge/v1/knowledge.pb.h"
#include "libs/api/query.h"
#include "libs/auth/caller.h"
#include "libs/auth/principal.h"
#include "libs/service/rpc.h"

namespace crm::knowledge {

// What a caller may do to an article beyond calling the method.
enum class ArticleAction {
  kRead,     // see it at all
  kEdit,     // see its working copy and change it (others see the latest published revision)
  kPublish,  // make the working copy the next revision
  kArchive,  // take it out of circulation
};

// The facts about one article the rules depend on.
struct ArticleFacts {
  std::string_view author;  // "users/{id}"
  v1::ArticleState state = v1::ARTICLE_STATE_UNSPECIFIED;
};

class ArticleRules final {
 public:
  // The caller's rules for one call of `method` (the full gRPC name): PERMISSION_DENIED when
  // the policy table does not let their role call it (rpc.Allow, the row the edge checked).
  static absl::StatusOr<ArticleRules> For(const service::Rpc& rpc, const auth::Caller& caller,
                                          std::string_view method);
  explicit ArticleRules(auth::Principal principal) : principal_(std::move(principal)) {}

  // "users/{id}": the author of what they create, the publisher, the voter.
  const std::string& actor() const { return principal_.ActingName(); }

  // The articles (alias `a`) the caller may do `action` to, as a condition with '?'
  // placeholders for a WHERE or an ON clause.
  api::SqlFragment Rows(ArticleAction action) const;
  // The same rule for one article already loaded.
  bool Can(ArticleAction action, const ArticleFacts& article) const;
  // OK when Can(action, article); else PERMISSION_DENIED naming the article `name`. Only for
  // articles the caller may read (others are ARTICLE_NOT_FOUND before this is asked).
  absl::Status Allow(ArticleAction action, const ArticleFacts& article,
                     std::string_view name) const;

  // Whether the caller may create articles of `kind`: SALES_TIP everyone; PRODUCT_KNOWLEDGE
  // and FAQ MARKETING, SALES_MANAGER and ADMIN; FAQ also SUPPORT.
  bool MayCreate(v1::ArticleKind kind) const;

  // The products (alias `p`) an article may name: those the catalog shows the caller (active
  // ones; ADMIN and SALES_MANAGER also inactive ones).
  api::SqlFragment NameableProducts() const;

 private:
  auth::Principal principal_;
};

// State rules: FAILED_PRECONDITION with the contract's reasons when the state of article
// `name` does not allow the change.
// ARTICLE_ARCHIVED: an archived article cannot be edited.
absl::Status CheckEditable(std::string_view name, v1::ArticleState state);
// ARTICLE_ARCHIVED, then NOTHING_TO_PUBLISH (the working copy equals the latest revision),
// then BODY_REQUIRED (a FAQ without an answer).
absl::Status CheckPublishable(std::string_view name, v1::ArticleState state, v1::ArticleKind kind,
                              bool has_body, bool has_unpublished_changes);
// NOT_PUBLISHED: only a published article can be archived or rated.
absl::Status CheckPublished(std::string_view name, v1::ArticleState state);

}  // namespace crm::knowledge
