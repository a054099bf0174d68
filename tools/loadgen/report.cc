#include "tools/loadgen/report.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm::loadgen {
namespace {

constexpr char kDatabase[] = "mariadb";

std::optional<double> Ratio(const ScenarioResult& part, const ScenarioResult& whole) {
  if (part.skipped || whole.skipped || whole.calls_per_second <= 0) return std::nullopt;
  return part.calls_per_second / whole.calls_per_second;
}

std::string Mib(std::optional<int64_t> kib) {
  return kib ? absl::StrFormat("%.1f", *kib / 1024.0) : std::string("-");
}

std::string OrDash(std::optional<double> value) {
  return value ? absl::StrFormat("%.2f", *value) : std::string("-");
}

// Latencies exist only when something succeeded.
std::optional<double> P50(const ScenarioResult& r) {
  return r.skipped || r.ok == 0 ? std::nullopt : std::optional<double>(r.p50_ms);
}
std::optional<double> P99(const ScenarioResult& r) {
  return r.skipped || r.ok == 0 ? std::nullopt : std::optional<double>(r.p99_ms);
}
std::optional<double> P50Delta(const OperationResults& op) {
  const std::optional<double> gateway = P50(op.gateway);
  const std::optional<double> direct = P50(op.direct);
  if (!gateway || !direct) return std::nullopt;
  return *gateway - *direct;
}

void AppendScenarioRow(std::string& out, const std::string& label, const ScenarioResult& result,
                       const ScenarioResult& raw) {
  if (result.skipped) {
    absl::StrAppendFormat(&out, "%-28s %s\n", label, "skipped (see below)");
    return;
  }
  absl::StrAppendFormat(&out, "%-28s %10.1f %9s %9s %8d %11s\n", label, result.calls_per_second,
                        OrDash(P50(result)), OrDash(P99(result)), result.errors,
                        OrDash(Ratio(result, raw)));
}

// Who used the CPU during each scenario: on a small machine shared by the load generator,
// the servers and the database, this tells which of them saturates it.
void AppendCpuTable(std::string& out, const Report& report) {
  std::vector<std::string> columns;
  for (const OperationResults& op : report.operations) {
    for (const ScenarioResult* result : {&op.gateway, &op.direct, &op.raw_sql}) {
      for (const auto& [name, cores] : result->cpu_cores) {
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
          columns.push_back(name);
        }
      }
    }
  }
  if (columns.empty()) return;
  absl::StrAppendFormat(&out, "\n%-28s", "CPU used (cores, warm-up incl.)");
  for (const std::string& column : columns) absl::StrAppendFormat(&out, " %10s", column);
  absl::StrAppendFormat(&out, " %8s\n", "total");
  for (const OperationResults& op : report.operations) {
    for (const ScenarioResult* result : {&op.gateway, &op.direct, &op.raw_sql}) {
      if (result->skipped) continue;
      std::map<std::string, double> by_name(result->cpu_cores.begin(), result->cpu_cores.end());
      double total = 0;
      absl::StrAppendFormat(&out, "%-28s", result->name);
      for (const std::string& column : columns) {
        auto it = by_name.find(column);
        if (it == by_name.end()) {
          absl::StrAppendFormat(&out, " %10s", "-");
        } else {
          absl::StrAppendFormat(&out, " %10.2f", it->second);
          total += it->second;
        }
      }
      absl::StrAppendFormat(&out, " %8.2f\n", total);
    }
  }
}

google::protobuf::Value Number(double v) {
  google::protobuf::Value value;
  value.set_number_value(v);
  return value;
}
google::protobuf::Value Text(const std::string& s) {
  google::protobuf::Value value;
  value.set_string_value(s);
  return value;
}
google::protobuf::Value Flag(bool b) {
  google::protobuf::Value value;
  value.set_bool_value(b);
  return value;
}
google::protobuf::Value Null() {
  google::protobuf::Value value;
  value.set_null_value(google::protobuf::NULL_VALUE);
  return value;
}
google::protobuf::Value NumberOrNull(std::optional<double> v) { return v ? Number(*v) : Null(); }
google::protobuf::Value KibOrNull(std::optional<int64_t> kib) {
  return kib ? Number(static_cast<double>(*kib)) : Null();
}

google::protobuf::Value ScenarioJson(const ScenarioResult& result, const ScenarioResult& raw) {
  google::protobuf::Value value;
  auto& fields = *value.mutable_struct_value()->mutable_fields();
  fields["name"] = Text(result.name);
  fields["skipped"] = Flag(result.skipped);
  fields["ok"] = Number(static_cast<double>(result.ok));
  fields["errors"] = Number(static_cast<double>(result.errors));
  fields["seconds"] = Number(result.seconds);
  fields["calls_per_second"] = Number(result.calls_per_second);
  fields["p50_ms"] = NumberOrNull(P50(result));
  fields["p99_ms"] = NumberOrNull(P99(result));
  fields["ratio_to_raw_sql"] = NumberOrNull(Ratio(result, raw));
  fields["first_error"] = Text(result.first_error);
  google::protobuf::Value cpu;
  for (const auto& [name, cores] : result.cpu_cores) {
    (*cpu.mutable_struct_value()->mutable_fields())[name] = Number(cores);
  }
  fields["cpu_cores"] = cpu.has_struct_value() ? cpu : Null();
  fields["conflict_retries"] =
      result.conflict_retries >= 0 ? Number(static_cast<double>(result.conflict_retries)) : Null();
  fields["quiet_wait_s"] = Number(result.quiet_wait_s);
  fields["started_quiet"] = Flag(result.started_quiet);
  fields["busy_cores_at_start"] = Number(result.busy_cores_at_start);
  return value;
}

}  // namespace

std::vector<ProcessMemory> MergeMemory(const std::vector<MemorySample>& idle,
                                       const std::vector<MemorySample>& after) {
  std::vector<ProcessMemory> merged;
  for (const MemorySample& sample : idle) {
    ProcessMemory m;
    m.name = sample.name;
    m.pid = sample.pid;
    m.idle_kib = sample.rss_kib;
    merged.push_back(std::move(m));
  }
  for (const MemorySample& sample : after) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const ProcessMemory& m) { return m.name == sample.name; });
    if (it == merged.end()) {
      ProcessMemory m;
      m.name = sample.name;
      m.pid = sample.pid;
      merged.push_back(std::move(m));
      it = merged.end() - 1;
    }
    if (it->pid != sample.pid) continue;  // restarted in between: the figures do not compare
    it->after_kib = sample.rss_kib;
    it->peak_kib = sample.hwm_kib;
  }
  return merged;
}

std::optional<double> ImportRatio(const ImportComparison& import) {
  if (!import.gateway.status.ok() || import.gateway.failed > 0 || !import.raw_error.empty() ||
      import.raw_rows_per_second <= 0) {
    return std::nullopt;
  }
  return import.gateway.rows_per_second / import.raw_rows_per_second;
}

namespace {

std::string CpuText(const std::vector<std::pair<std::string, double>>& cores) {
  std::string out;
  for (const auto& [name, used] : cores) {
    absl::StrAppendFormat(&out, "%s%s %.2f", out.empty() ? "" : ", ", name, used);
  }
  return out.empty() ? std::string("-") : out;
}

void AppendImport(std::string& out, const ImportComparison& import) {
  absl::StrAppendFormat(&out, "\nImportCustomers: %d rows, %d per message\n", import.rows,
                        import.chunk);
  absl::StrAppendFormat(&out, "%-28s %10s %9s %9s %8s  %s\n", "path", "rows/s", "seconds",
                        "created", "failed", "CPU (cores)");
  const ImportRun& grpc = import.gateway;
  absl::StrAppendFormat(&out, "%-28s %10.0f %9.1f %9d %8d  %s\n", "ImportCustomers via gateway",
                        grpc.rows_per_second, grpc.seconds, grpc.created, grpc.failed,
                        CpuText(import.gateway_cpu));
  absl::StrAppendFormat(&out, "%-28s %10.0f %9.1f %9d %8s  %s\n", "LOAD DATA LOCAL INFILE",
                        import.raw_rows_per_second, import.raw_seconds, import.raw_rows, "-",
                        CpuText(import.raw_cpu));
  if (!grpc.status.ok()) absl::StrAppend(&out, "  the import failed: ", grpc.status.ToString(), "\n");
  if (grpc.failed > 0) absl::StrAppend(&out, "  first failed row: ", grpc.first_failure, "\n");
  if (!import.raw_error.empty()) absl::StrAppend(&out, "  the load failed: ", import.raw_error, "\n");
  const std::optional<double> ratio = ImportRatio(import);
  absl::StrAppendFormat(&out, "gateway / LOAD DATA: %s (target %.2f: %s)\n", OrDash(ratio),
                        import.target_ratio,
                        !ratio ? "not measured" : *ratio >= import.target_ratio ? "met" : "MISSED");
}

}  // namespace

std::string FormatTable(const Report& report) {
  std::string out;
  absl::StrAppendFormat(
      &out,
      "crm-loadgen  %s\nconcurrency %d, %s warm-up + %s measured per scenario, %d customers "
      "seeded for reads\n\n",
      report.started_at, report.options.concurrency, absl::FormatDuration(report.options.warmup),
      absl::FormatDuration(report.options.duration), report.seeded);

  if (!report.operations.empty()) {
    absl::StrAppendFormat(&out, "%-28s %10s %9s %9s %8s %11s\n", "scenario", "calls/s",
                          "p50 ms", "p99 ms", "errors", "vs raw SQL");
    for (const OperationResults& op : report.operations) {
      AppendScenarioRow(out, op.operation + " via gateway", op.gateway, op.raw_sql);
      AppendScenarioRow(out, op.operation + " direct", op.direct, op.raw_sql);
      AppendScenarioRow(out, op.operation + " raw SQL", op.raw_sql, op.raw_sql);
    }

    absl::StrAppendFormat(&out, "\n%-28s %26s %14s\n", "gateway overhead",
                          "calls/s gateway / direct", "p50 delta ms");
    for (const OperationResults& op : report.operations) {
      const std::optional<double> delta = P50Delta(op);
      absl::StrAppendFormat(&out, "%-28s %26s %14s\n", op.operation,
                            OrDash(Ratio(op.gateway, op.direct)),
                            delta ? absl::StrFormat("%+.2f", *delta) : "-");
    }
  }

  AppendCpuTable(out, report);
  if (report.import) AppendImport(out, *report.import);

  absl::StrAppendFormat(&out, "\n%-28s %8s %10s %12s %10s\n", "resident memory (MiB)", "pid",
                        "idle", "after load", "peak");
  for (const ProcessMemory& m : report.memory) {
    const std::string label = m.name == kDatabase ? m.name + " (database)" : m.name;
    absl::StrAppendFormat(&out, "%-28s %8d %10s %12s %10s\n", label, m.pid, Mib(m.idle_kib),
                          Mib(m.after_kib), Mib(m.peak_kib));
  }
  if (report.memory.empty()) out += "(no pid files found: pass --pid_dir)\n";

  out += "\ntargets\n";
  for (const OperationResults& op : report.operations) {
    const std::optional<double> ratio = Ratio(op.gateway, op.raw_sql);
    absl::StrAppendFormat(
        &out, "  %-44s %8s  %s\n",
        absl::StrFormat("%s via gateway >= %.2f x raw SQL", op.operation, op.target_ratio),
        OrDash(ratio),
        !ratio                      ? "not measured"
        : *ratio >= op.target_ratio ? "met"
                                    : "MISSED");
  }
  for (const ProcessMemory& m : report.memory) {
    if (m.name == kDatabase) continue;
    absl::StrAppendFormat(
        &out, "  %-44s %8s  %s\n",
        absl::StrFormat("%s idle RSS < %d MiB", m.name, report.memory_target_kib / 1024),
        Mib(m.idle_kib),
        !m.idle_kib                              ? "not measured"
        : *m.idle_kib < report.memory_target_kib ? "met"
                                                 : "MISSED");
  }

  for (const OperationResults& op : report.operations) {
    for (const ScenarioResult* result : {&op.gateway, &op.direct, &op.raw_sql}) {
      if (result->conflict_retries > 0) {
        absl::StrAppendFormat(&out,
                              "\n%s: %d transactions retried after a deadlock or lock-wait "
                              "timeout (warm-up included)\n",
                              result->name, result->conflict_retries);
      }
      if (!result->started_quiet) {
        absl::StrAppendFormat(&out,
                              "\n%s started on a busy stack (the servers used %.2f cores after "
                              "%.0f s of waiting): its figures include other work\n",
                              result->name, result->busy_cores_at_start, result->quiet_wait_s);
      }
    }
  }

  bool first = true;
  for (const OperationResults& op : report.operations) {
    for (const ScenarioResult* result : {&op.gateway, &op.direct, &op.raw_sql}) {
      if (result->first_error.empty()) continue;
      if (first) out += "\nfirst error of each scenario that had one\n";
      first = false;
      absl::StrAppendFormat(&out, "  %s: %s\n", result->name, result->first_error);
    }
  }
  return out;
}

std::string FormatJson(const Report& report) {
  google::protobuf::Struct root;
  auto& fields = *root.mutable_fields();
  fields["started_at"] = Text(report.started_at);
  fields["concurrency"] = Number(report.options.concurrency);
  fields["warmup_seconds"] = Number(absl::ToDoubleSeconds(report.options.warmup));
  fields["duration_seconds"] = Number(absl::ToDoubleSeconds(report.options.duration));
  fields["seeded_customers"] = Number(static_cast<double>(report.seeded));

  google::protobuf::Value operations;
  for (const OperationResults& op : report.operations) {
    google::protobuf::Value item;
    auto& f = *item.mutable_struct_value()->mutable_fields();
    f["operation"] = Text(op.operation);
    f["gateway"] = ScenarioJson(op.gateway, op.raw_sql);
    f["direct"] = ScenarioJson(op.direct, op.raw_sql);
    f["raw_sql"] = ScenarioJson(op.raw_sql, op.raw_sql);
    f["gateway_over_direct_throughput"] = NumberOrNull(Ratio(op.gateway, op.direct));
    f["gateway_minus_direct_p50_ms"] = NumberOrNull(P50Delta(op));
    f["target_ratio"] = Number(op.target_ratio);
    const std::optional<double> ratio = Ratio(op.gateway, op.raw_sql);
    f["target_met"] = ratio ? Flag(*ratio >= op.target_ratio) : Null();
    *operations.mutable_list_value()->add_values() = item;
  }
  fields["operations"] = operations;
  if (report.import) {
    const ImportComparison& import = *report.import;
    google::protobuf::Value item;
    auto& f = *item.mutable_struct_value()->mutable_fields();
    f["rows"] = Number(static_cast<double>(import.rows));
    f["rows_per_message"] = Number(import.chunk);
    f["gateway_rows_per_second"] = Number(import.gateway.rows_per_second);
    f["gateway_seconds"] = Number(import.gateway.seconds);
    f["gateway_created"] = Number(static_cast<double>(import.gateway.created));
    f["gateway_failed"] = Number(static_cast<double>(import.gateway.failed));
    f["gateway_error"] = Text(import.gateway.status.ok() ? "" : import.gateway.status.ToString());
    f["load_data_rows_per_second"] = Number(import.raw_rows_per_second);
    f["load_data_seconds"] = Number(import.raw_seconds);
    f["load_data_rows"] = Number(static_cast<double>(import.raw_rows));
    f["load_data_error"] = Text(import.raw_error);
    f["ratio"] = NumberOrNull(ImportRatio(import));
    f["target_ratio"] = Number(import.target_ratio);
    const std::optional<double> ratio = ImportRatio(import);
    f["target_met"] = ratio ? Flag(*ratio >= import.target_ratio) : Null();
    fields["import"] = item;
  }

  google::protobuf::Value memory;
  for (const ProcessMemory& m : report.memory) {
    google::protobuf::Value item;
    auto& f = *item.mutable_struct_value()->mutable_fields();
    f["name"] = Text(m.name);
    f["pid"] = Number(static_cast<double>(m.pid));
    f["idle_rss_kib"] = KibOrNull(m.idle_kib);
    f["after_load_rss_kib"] = KibOrNull(m.after_kib);
    f["peak_rss_kib"] = KibOrNull(m.peak_kib);
    if (m.name != kDatabase) {
      f["idle_target_met"] = m.idle_kib ? Flag(*m.idle_kib < report.memory_target_kib) : Null();
    }
    *memory.mutable_list_value()->add_values() = item;
  }
  fields["memory"] = memory;
  fields["memory_target_kib"] = Number(static_cast<double>(report.memory_target_kib));

  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(root, &json, options);
  return json;
}

}  // namespace crm::loadgen
