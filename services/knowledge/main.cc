// crm-knowledge: its stores and handlers; the rest is the service kit's.
#include "libs/service/process.h"
#include "services/knowledge/article_service.h"
#include "services/knowledge/article_store.h"

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  crm::service::Kit& kit = process.Start();
  crm::knowledge::ArticleStore articles(kit.pool, kit.clock);
  crm::knowledge::ArticleService article_service(kit, articles);
  return process.Serve({&article_service});
}
