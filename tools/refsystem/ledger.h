// A small reference inventory and finance system: what the orders relay delivers to
// (proto/crm/integration/v1), for the demo and the tests. It keeps a ledger in memory and
// applies each effect once per idempotency key, answering a repeated key with the first
// reference and `duplicate = true`, as the real systems must. So a test can count: every
// effect the CRM asked for is in the ledger exactly once, however often it was delivered.
//
// Faults on purpose: with `fail_percent` P, P calls in every 100 (spread evenly) fail with
// UNAVAILABLE; every other such failure happens after the effect was applied (the answer is
// "lost"), so the relay must retry and the key must hold.
//
// It does not verify the caller: it stands in for a system outside the suite, whose own
// authentication of the CRM's service identity is its business.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "crm/integration/v1/integration.grpc.pb.h"

namespace crm::refsystem {

struct LedgerEntry {
  std::string key;        // the idempotency key (the CRM's event id)
  std::string kind;       // "reserve", "release", "ship", "invoice", "credit_note"
  std::string order;      // "orders/{id}"
  std::string currency;   // invoices and credit notes
  int64_t units = 0;      // their total's whole units (for the demo's log)
  std::string reference;  // what the system answered: "INV-000001", "STK-000002", ...
};

class Ledger final {
 public:
  // `on_new` (may be empty) sees each entry as it is first applied, under the ledger's lock.
  explicit Ledger(int fail_percent = 0, std::function<void(const LedgerEntry&)> on_new = nullptr)
      : fail_percent_(fail_percent), on_new_(std::move(on_new)) {}

  struct Applied {
    std::string reference;
    bool duplicate = false;
  };
  // Applies `entry` (reference ignored) once per key, or fails by the fault plan.
  absl::StatusOr<Applied> Apply(LedgerEntry entry);

  std::vector<LedgerEntry> Entries() const;
  // Calls received, and how many carried a key seen before.
  int calls() const;
  int duplicates() const;

 private:
  const int fail_percent_;
  const std::function<void(const LedgerEntry&)> on_new_;
  mutable absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  int duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<LedgerEntry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> by_key_ ABSL_GUARDED_BY(mu_);
};

// crm.integration.v1.InventoryService over a ledger.
class InventoryServer final : public integration::v1::InventoryService::CallbackService {
 public:
  explicit InventoryServer(Ledger& ledger) : ledger_(ledger) {}
  grpc::ServerUnaryReactor* ReserveStock(grpc::CallbackServerContext* ctx,
                                         const integration::v1::ReserveStockRequest* request,
                                         integration::v1::StockResult* response) override;
  grpc::ServerUnaryReactor* ReleaseStock(grpc::CallbackServerContext* ctx,
                                         const integration::v1::ReleaseStockRequest* request,
                                         integration::v1::StockResult* response) override;
  grpc::ServerUnaryReactor* ShipStock(grpc::CallbackServerContext* ctx,
                                      const integration::v1::ShipStockRequest* request,
                                      integration::v1::StockResult* response) override;

 private:
  grpc::ServerUnaryReactor* Stock(grpc::CallbackServerContext* ctx, LedgerEntry entry,
                                  integration::v1::StockResult* response);
  Ledger& ledger_;
};

// crm.integration.v1.FinanceService over a ledger.
class FinanceServer final : public integration::v1::FinanceService::CallbackService {
 public:
  explicit FinanceServer(Ledger& ledger) : ledger_(ledger) {}
  grpc::ServerUnaryReactor* CreateInvoice(grpc::CallbackServerContext* ctx,
                                          const integration::v1::CreateInvoiceRequest* request,
                                          integration::v1::FinanceDocument* response) override;
  grpc::ServerUnaryReactor* CreateCreditNote(
      grpc::CallbackServerContext* ctx, const integration::v1::CreateCreditNoteRequest* request,
      integration::v1::FinanceDocument* response) override;

 private:
  grpc::ServerUnaryReactor* Document(grpc::CallbackServerContext* ctx, LedgerEntry entry,
                                     integration::v1::FinanceDocument* response);
  Ledger& ledger_;
};

}  // namespace crm::refsystem
