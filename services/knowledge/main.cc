// crm-knowledge: its stores and handlers; the rest is the service kit's.
#include "libs/service/process.h"
#include "services/knowledge/article_service.h"
#include "services/knowledge/article_store.h"
#include "services/knowledge/catalog_service.h"
#include "services/knowledge/catalog_store.h"
#include "services/knowledge/search_service.h"

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  crm::service::Kit& kit = process.Start();
  crm::knowledge::CatalogStore catalog_store(kit.pool, kit.clock);
  crm::knowledge::CatalogService catalog(kit, catalog_store);
  crm::knowledge::ArticleStore article_store(kit.pool, kit.clock);
  crm::knowledge::ArticleService articles(kit, article_store);
  crm::knowledge::SearchStore search_store(kit.pool);
  crm::knowledge::KnowledgeSearchService search(kit, search_store, catalog_store, article_store);
  return process.Serve({&catalog, &articles, &search});
}
