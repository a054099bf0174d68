// crm-customers: its own options, store and handlers; the rest is the service kit's.
#include "libs/service/process.h"
#include "services/customers/service.h"
#include "services/customers/store.h"

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  crm::customers::ServiceOptions options{
      .default_phone_region = process.flags().String(
          "default_phone_region", "CN", "region for national-format phone numbers")};
  crm::service::Kit& kit = process.Start();
  crm::customers::CustomerStore store(kit.pool, kit.clock);
  crm::customers::CustomerService service(kit, store, options);
  return process.Serve({&service});
}
