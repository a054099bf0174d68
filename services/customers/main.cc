// crm-customers: its own options, stores and handlers; the rest is the service kit's.
#include "libs/log/log.h"
#include "libs/service/process.h"
#include "services/customers/bulk_service.h"
#include "services/customers/contact_service.h"
#include "services/customers/service.h"
#include "services/customers/stores.h"

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  crm::customers::ServiceOptions options{
      .default_phone_region = process.flags().String(
          "default_phone_region", "CN", "region for national-format phone numbers"),
      .default_time_zone = process.flags().String(
          "default_time_zone", "Asia/Shanghai", "the IANA zone that decides today's date")};
  crm::service::Kit& kit = process.Start();
  crm::customers::Stores stores(kit.pool, kit.clock);
  // Rows written by an older version get their match keys and search documents.
  if (auto refreshed = stores.customers.RefreshDerivedData(); !refreshed.ok()) {
    crm::log::Fatal("refreshing derived data failed", {{"error", refreshed.status().ToString()}});
  }
  crm::customers::CustomerService customers(kit, stores, options);
  crm::customers::ContactService contacts(kit, stores, options);
  crm::customers::CustomerBulkService bulk(kit, stores, options);
  return process.Serve({&customers, &contacts, &bulk});
}
