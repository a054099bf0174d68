// crm-refsystem: the reference inventory and finance system (ledger.h) as a server, for the
// demo: point the orders service at it (--inventory_endpoint and --finance_endpoint) and
// watch each effect arrive once, one JSON line per ledger entry on stdout.
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "libs/config/config.h"
#include "tools/refsystem/ledger.h"

int main(int argc, char** argv) {
  crm::config::Flags flags(argc, argv, "crm-refsystem");
  const std::string listen =
      flags.String("refsystem_listen", "127.0.0.1:50071", "address to serve crm.integration.v1 on");
  const int fail_percent = flags.Int("refsystem_fail_percent", 0,
                                     "calls in every 100 that fail (half after applying)", 0, 100);
  flags.Finish();

  crm::refsystem::Ledger ledger(fail_percent, [](const crm::refsystem::LedgerEntry& e) {
    std::cout << absl::StrCat("{\"reference\":\"", e.reference, "\",\"kind\":\"", e.kind,
                              "\",\"order\":\"", e.order, "\",\"key\":\"", e.key, "\"",
                              e.currency.empty() ? ""
                                                 : absl::StrCat(",\"currency\":\"", e.currency,
                                                                "\",\"units\":", e.units),
                              "}")
              << std::endl;
  });
  crm::refsystem::InventoryServer inventory(ledger);
  crm::refsystem::FinanceServer finance(ledger);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials());
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // a taken port is an error
  builder.RegisterService(&inventory);
  builder.RegisterService(&finance);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::cerr << "crm-refsystem: cannot listen on " << listen << "\n";
    return 1;
  }
  std::cerr << "crm-refsystem: serving crm.integration.v1 on " << listen << "\n";
  server->Wait();
  return 0;
}
