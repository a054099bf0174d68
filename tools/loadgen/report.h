// What crm-loadgen prints: the scenarios side by side, the gateway's overhead, the servers'
// resident memory and the targets, as a table for people or a JSON object for scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/loadgen/driver.h"
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

struct Report {
  std::string started_at;  // RFC 3339, UTC
  LoadOptions options;
  int64_t seeded = 0;  // customers created for the reads
  std::vector<OperationResults> operations;
  std::vector<ProcessMemory> memory;
  int64_t memory_target_kib = 64 * 1024;  // each service (not the database) when idle
};

// Joins the idle and after-load samples by process name.
std::vector<ProcessMemory> MergeMemory(const std::vector<MemorySample>& idle,
                                       const std::vector<MemorySample>& after);

std::string FormatTable(const Report& report);
std::string FormatJson(const Report& report);

}  // namespace crm::loadgen
