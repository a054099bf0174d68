// The standard List method (AIP-132) in two calls, for every resource of every service:
// PrepareList checks and compiles what the request asks for (page size, filter, order_by,
// page token), the store runs it (AppendPageClauses/TakePage in query.h, or the owned-record
// kit in libs/records), and NextPageToken makes the token for what follows.
//
//   CRM_ASSIGN_OR_RETURN(api::ListQuery query,
//                        api::PrepareList(request, kCustomerList, page_tokens, caller.principal.user));
//   CRM_ASSIGN_OR_RETURN(api::Page<v1::Customer> page, store.List(access, query));
//   response->set_next_page_token(api::NextPageToken(page_tokens, query, page));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/api/query.h"
#include "libs/db/value.h"

namespace crm::api {

// What one resource's List accepts.
struct ListSpec {
  const ResourceFields* fields = nullptr;  // the filter and order_by whitelist
  std::string_view default_order;          // e.g. "create_time desc"
  int default_page_size = 50;
  int max_page_size = 1000;
};

// A List request checked and compiled.
struct ListQuery {
  int page_size = 0;
  SqlFragment filter;              // "TRUE" when the request has none
  std::vector<OrderTerm> order;    // ends with the id tie-breaker
  // The keyset position to continue after; none for the first page.
  std::optional<std::vector<db::Value>> after;
  // What the page token is bound to: the filter, the order and the caller's scope, so a
  // token cannot be edited, used with another query, or used by another user.
  std::string binding;
  const std::vector<db::Value>* after_ptr() const { return after ? &*after : nullptr; }
};

// One page of results.
template <typename T>
struct Page {
  std::vector<T> items;
  std::vector<db::Value> last_key;  // keyset position of the last item, when more follow
  bool has_more = false;
};

// Checks the parts of a List request. `scope` binds the page tokens to a caller (the user
// name) or is empty for lists that look the same to everyone. INVALID_ARGUMENT with a field
// violation on page_size, filter, order_by or page_token.
absl::StatusOr<ListQuery> PrepareList(int page_size, std::string_view filter,
                                      std::string_view order_by, std::string_view page_token,
                                      const ListSpec& spec, const PageTokenCodec& tokens,
                                      std::string_view scope);

// The same for any request message with the standard fields.
template <typename Request>
absl::StatusOr<ListQuery> PrepareList(const Request& request, const ListSpec& spec,
                                      const PageTokenCodec& tokens, std::string_view scope) {
  return PrepareList(request.page_size(), request.filter(), request.order_by(),
                     request.page_token(), spec, tokens, scope);
}

// The next_page_token for `page`, or "" when it is the last.
template <typename T>
std::string NextPageToken(const PageTokenCodec& tokens, const ListQuery& query,
                          const Page<T>& page) {
  return page.has_more ? tokens.Encode(query.binding, page.last_key) : std::string();
}

}  // namespace crm::api
