#include "tools/refsystem/ledger.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace crm::refsystem {
namespace {

namespace iv1 = integration::v1;

std::string ReferenceFor(const std::string& kind, size_t number) {
  const char* prefix = kind == "invoice" ? "INV" : kind == "credit_note" ? "CN" : "STK";
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%06zu", number);
  return absl::StrCat(prefix, "-", digits);
}

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace

absl::StatusOr<Ledger::Applied> Ledger::Apply(LedgerEntry entry) {
  absl::MutexLock lock(&mu_);
  const int call = calls_++;
  // Call n fails when the running count of P per 100 steps up at n: P failures in every 100.
  const bool fail = (call + 1) * fail_percent_ / 100 > call * fail_percent_ / 100;
  const bool lose_answer = fail && (failures_++ % 2 == 1);
  if (fail && !lose_answer) return absl::UnavailableError("the reference system is down");
  if (entry.key.empty()) return absl::InvalidArgumentError("idempotency_key is required");
  Applied applied;
  if (auto known = by_key_.find(entry.key); known != by_key_.end()) {
    ++duplicates_;
    applied = {.reference = entries_[known->second].reference, .duplicate = true};
  } else {
    entry.reference = ReferenceFor(entry.kind, entries_.size() + 1);
    by_key_[entry.key] = entries_.size();
    applied = {.reference = entry.reference, .duplicate = false};
    if (on_new_) on_new_(entry);
    entries_.push_back(std::move(entry));
  }
  if (lose_answer) return absl::UnavailableError("the answer was lost on the way back");
  return applied;
}

std::vector<LedgerEntry> Ledger::Entries() const {
  absl::MutexLock lock(&mu_);
  return entries_;
}

int Ledger::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

int Ledger::duplicates() const {
  absl::MutexLock lock(&mu_);
  return duplicates_;
}

grpc::ServerUnaryReactor* InventoryServer::Stock(grpc::CallbackServerContext* ctx,
                                                 LedgerEntry entry, iv1::StockResult* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Ledger::Applied> applied = ledger_.Apply(std::move(entry));
  if (!applied.ok()) {
    reactor->Finish(ToGrpc(applied.status()));
    return reactor;
  }
  response->set_reference(applied->reference);
  response->set_duplicate(applied->duplicate);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* InventoryServer::ReserveStock(grpc::CallbackServerContext* ctx,
                                                        const iv1::ReserveStockRequest* request,
                                                        iv1::StockResult* response) {
  return Stock(ctx,
               {.key = request->idempotency_key(), .kind = "reserve", .order = request->order()},
               response);
}

grpc::ServerUnaryReactor* InventoryServer::ReleaseStock(grpc::CallbackServerContext* ctx,
                                                        const iv1::ReleaseStockRequest* request,
                                                        iv1::StockResult* response) {
  return Stock(ctx,
               {.key = request->idempotency_key(), .kind = "release", .order = request->order()},
               response);
}

grpc::ServerUnaryReactor* InventoryServer::ShipStock(grpc::CallbackServerContext* ctx,
                                                     const iv1::ShipStockRequest* request,
                                                     iv1::StockResult* response) {
  return Stock(ctx, {.key = request->idempotency_key(), .kind = "ship", .order = request->order()},
               response);
}

grpc::ServerUnaryReactor* FinanceServer::Document(grpc::CallbackServerContext* ctx,
                                                  LedgerEntry entry,
                                                  iv1::FinanceDocument* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Ledger::Applied> applied = ledger_.Apply(std::move(entry));
  if (!applied.ok()) {
    reactor->Finish(ToGrpc(applied.status()));
    return reactor;
  }
  response->set_number(applied->reference);
  response->set_duplicate(applied->duplicate);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* FinanceServer::CreateInvoice(grpc::CallbackServerContext* ctx,
                                                       const iv1::CreateInvoiceRequest* request,
                                                       iv1::FinanceDocument* response) {
  return Document(ctx,
                  {.key = request->idempotency_key(),
                   .kind = "invoice",
                   .order = request->order(),
                   .currency = request->currency_code(),
                   .units = request->total().units()},
                  response);
}

grpc::ServerUnaryReactor* FinanceServer::CreateCreditNote(
    grpc::CallbackServerContext* ctx, const iv1::CreateCreditNoteRequest* request,
    iv1::FinanceDocument* response) {
  return Document(ctx,
                  {.key = request->idempotency_key(),
                   .kind = "credit_note",
                   .order = request->order(),
                   .currency = request->currency_code(),
                   .units = request->total().units()},
                  response);
}

}  // namespace crm::refsystem
