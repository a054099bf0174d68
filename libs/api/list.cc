#include "libs/api/list.h"

#include "libs/grpc/status.h"

namespace crm::api {

absl::StatusOr<ListQuery> PrepareList(int page_size, std::string_view filter,
                                      std::string_view order_by, std::string_view page_token,
                                      const ListSpec& spec, const PageTokenCodec& tokens,
                                      std::string_view scope) {
  ListQuery query;
  CRM_ASSIGN_OR_RETURN(query.page_size, EffectivePageSize(page_size, spec.default_page_size,
                                                          spec.max_page_size));
  CRM_ASSIGN_OR_RETURN(query.filter, CompileFilter(filter, *spec.fields));
  CRM_ASSIGN_OR_RETURN(query.order, ParseOrderBy(order_by, spec.default_order, *spec.fields));
  query.binding = PageBinding(filter, order_by, scope);
  CRM_ASSIGN_OR_RETURN(query.after,
                       DecodePageToken(tokens, page_token, query.binding, query.order.size()));
  return query;
}

}  // namespace crm::api
