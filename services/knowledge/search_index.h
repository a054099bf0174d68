// What the knowledge service's search finds, and with which weight: the index tables of
// schema/003_search.sql and the fields each document is indexed under. Shared by the stores
// that write documents (CatalogStore, ArticleStore) and the search that reads them.
#pragma once

#include <vector>

#include "crm/knowledge/v1/knowledge.pb.h"
#include "libs/search/search.h"

namespace crm::knowledge {

const search::IndexTable& ProductIndex();
const search::IndexTable& ArticleIndex();

// Names and SKUs weigh most, then the selling points, then the description. `scratch`
// holds the joined lists the fields point into.
std::vector<search::SearchField> ProductSearchFields(const v1::Product& product,
                                                     std::vector<std::string>& scratch);
// The title weighs most, then the tags, then the body.
std::vector<search::SearchField> ArticleSearchFields(const std::string& title,
                                                     const std::string& tags,
                                                     const std::string& body);

}  // namespace crm::knowledge
