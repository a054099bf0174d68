// Bulk import (ImportCustomers), its batches (GetImportBatch) and their rollback
// (RollbackImport); customers.proto has the rules a caller sees.
//
// An ImportRun takes the rows of one call a chunk at a time. A chunk is cut further wherever a
// row repeats an external id or shares a match key with an earlier row of the same piece, so
// every piece's rows are independent: each piece is one transaction (for a dry run, all of them
// run in one transaction that is rolled back at the end) that looks up the external ids,
// validates each row (as a create, or merged into the customer it updates), applies the
// duplicate rules, writes the rows with their child rows, search documents, history and
// events in a few multi-row statements, and records in import_changes what a rollback needs.
// A later piece sees what earlier pieces wrote, so rows of one batch match each other.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owner_checks.h"
#include "services/customers/duplicates.h"

namespace crm::customers {

class ImportRun;

class ImportStore final {
 public:
  ImportStore(db::Pool& pool, const Clock& clock) : pool_(pool), clock_(clock) {}

  // A run for one ImportCustomers call (options already checked). `default_region` reads
  // national-format phones of rows without a country. Start() it before Process().
  std::unique_ptr<ImportRun> NewRun(const records::Access& access, v1::ImportOptions options,
                                    std::string default_region);

  // IMPORT_NOT_FOUND unless the caller imported it or is an admin.
  absl::StatusOr<v1::ImportBatch> Get(const records::Access& access, int64_t id);

  // Undoes batch `id` (customers.proto, RollbackImport), all or nothing.
  absl::StatusOr<v1::ImportBatch> Rollback(const records::Access& access, int64_t id,
                                           const db::IdempotencyKey& key);

 private:
  friend class ImportRun;
  db::Pool& pool_;
  const Clock& clock_;
};

class ImportRun final {
 public:
  // The batch as it starts (written unless a dry run).
  absl::StatusOr<v1::ImportBatch> Start();
  // Imports `rows` (at most a chunk), returning one result per row, in order.
  absl::StatusOr<std::vector<v1::ImportRowResult>> Process(std::vector<v1::ImportRow> rows);
  // Ends the batch: COMPLETED when every row was received, else INTERRUPTED (best effort: the
  // batch may be left RUNNING if the database is gone, and then counts as interrupted after
  // 10 minutes). A dry run's transaction is rolled back here (or when the run is destroyed).
  absl::StatusOr<v1::ImportBatch> Finish(bool completed);

  ~ImportRun();

 private:
  friend class ImportStore;
  ImportRun(ImportStore& store, const records::Access& access, v1::ImportOptions options,
            std::string default_region);

  struct Row;
  // Writes one piece of independent rows (see the top of this file) in `tx`.
  absl::Status WritePiece(db::Transaction& tx, std::vector<Row>& piece);

  ImportStore& store_;
  const records::Access& access_;
  // The owners rows name, looked up (an admin's choice is a call to the auth service) once
  // per run before the transaction of the chunk that names them.
  records::OwnerChecks owners_;
  const v1::ImportOptions options_;
  const std::string default_region_;
  v1::ImportBatch batch_;
  int64_t batch_id_ = 0;
  std::unique_ptr<db::Transaction> dry_run_tx_;  // a dry run's one transaction
};

}  // namespace crm::customers
