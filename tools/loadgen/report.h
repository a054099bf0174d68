// What crm-loadgen prints: the scenarios side by side, the gateway's overhead, the servers'
// resident memory and the targets, as a table for people or a JSON object for scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/loadgen/driver.h"
#include "tools/loadgen/import_calls.h"
#include "tools/loadgen/proc.h"

namespace crm::loadgen {

// The three ways one operation was measured, and what the gateway path must reach.
struct OperationResults {
  std::string operation;  // "GetCustomer", "CreateCustomer"
  ScenarioResult gateway;
  ScenarioResult direct;
  ScenarioResult raw_sql;
  double target_ratio = 0;  // gateway calls/s must be at least this share of raw SQL's
};

// Resident memory of one server process, from /proc/<pid>/status.
struct ProcessMemory {
  std::string name;  // from the pid file's name: "customers", "gateway", "mariadb"
  int64_t pid = 0;
  std::optional<int64_t> idle_kib;   // VmRSS before any load
  std::optional<int64_t> after_kib;  // VmRSS after the last scenario
  std::optional<int64_t> peak_kib;   // VmHWM after the last scenario: the high-water mark
};

// The bulk-import comparison: the same rows through ImportCustomers via the gateway, and by
// LOAD DATA LOCAL INFILE into the same table.
struct ImportComparison {
  int64_t rows = 0;
  int chunk = 0;
  ImportRun gateway;
  std::vector<std::pair<std::string, double>> gateway_cpu;
  double raw_seconds = 0;
  int64_t raw_rows = 0;
  double raw_rows_per_second = 0;
  std::string raw_error;  // empty when the load worked
  std::vector<std::pair<std::string, double>> raw_cpu;
  double target_ratio = 0;  // gateway rows/s must be at least this share of LOAD DATA's
};

// Gateway rows/s over LOAD DATA's; empty when either side failed.
std::optional<double> ImportRatio(const ImportComparison& import);

struct Report {
  std::string started_at;  // RFC 3339, UTC
  LoadOptions options;
  int64_t seeded = 0;  // customers created for the reads
  std::vector<OperationResults> operations;
  std::optional<ImportComparison> import;  // when --operations has "import"
  std::vector<ProcessMemory> memory;
  int64_t memory_target_kib = 64 * 1024;  // each service (not the database) when idle
};

// Joins the idle and after-load samples by process name.
std::vector<ProcessMemory> MergeMemory(const std::vector<MemorySample>& idle,
                                       const std::vector<MemorySample>& after);

std::string FormatTable(const Report& report);
std::string FormatJson(const Report& report);

}  // namespace crm::loadgen
