// The bulk-import comparison of crm-loadgen: `rows` customers streamed through
// CustomerBulkService.ImportCustomers (the gateway path marketing uses), against
// LOAD DATA LOCAL INFILE of the same rows into the same table (raw_sql.h), in one run.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/customers/v1/customers.pb.h"

namespace crm::loadgen {

// Row `sequence` of the import with external-id prefix `prefix`: a company like
// SampleCustomer's, with its own name, e-mail, mobile phone and external id, so that no row
// matches another (or a customer the other scenarios made) by the duplicate rules. Rows are
// made on the fly: 100,000 of them are never held in memory at once.
customers::v1::Customer SampleImportCustomer(const std::string& prefix, int64_t sequence);

struct ImportRun {
  absl::Status status;  // the stream's own outcome
  std::string batch;    // "imports/{id}"
  std::string importer;  // "users/{id}": who the service says imported
  int64_t rows = 0;     // rows answered
  int64_t created = 0;
  int64_t failed = 0;
  std::string first_failure;  // the first FAILED row's reason and message
  double seconds = 0;         // first message sent to last response read
  double rows_per_second = 0;
};

// Streams `rows` rows (numbered 1..rows, `chunk` per message) of SampleImportCustomer(prefix,
// ·) to `target` as the holder of `token`, reading the per-row results as they come. The
// whole call has `timeout` as its deadline.
ImportRun ImportThroughGrpc(const std::string& target, const std::string& token,
                            const std::string& prefix, int64_t rows, int chunk,
                            absl::Duration timeout);

// RollbackImport of `batch`: the benchmark's rows leave the schema as they came.
absl::Status RollbackImport(const std::string& target, const std::string& token,
                            const std::string& batch, absl::Duration timeout);

}  // namespace crm::loadgen
