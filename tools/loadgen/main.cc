// crm-loadgen: measures GetCustomer, ListCustomers and CreateCustomer through the gateway,
// straight to the customers service, and as raw SQL on the same MariaDB, side by side in one
// run, plus the servers' resident memory. Loopback targets only. See tools/loadgen/README.md.
#include <unistd.h>

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "libs/api/list.h"
#include "libs/config/config.h"
#include "libs/grpc/status.h"
#include "libs/records/page.h"
#include "services/customers/store.h"
#include "services/customers/store_sql.h"
#include "tools/loadgen/customer_calls.h"
#include "tools/loadgen/driver.h"
#include "tools/loadgen/import_calls.h"
#include "tools/loadgen/proc.h"
#include "tools/loadgen/raw_sql.h"
#include "tools/loadgen/report.h"

namespace crm::loadgen {
namespace {

// Targets the issue sets for the gateway path, as shares of the raw SQL ceiling.
constexpr double kReadTarget = 0.40;
constexpr double kListTarget = 0.40;
constexpr double kWriteTarget = 0.60;
// Where issue 10 points bulk import: half the rows per second of LOAD DATA LOCAL INFILE.
constexpr double kImportTarget = 0.50;
// The default set; "import" (100,000 rows, a few minutes) runs only when asked for.
constexpr char kOperations[] = "get,list,create";
// Seeding is bounded by count, and by this much time in case the service is very slow.
constexpr absl::Duration kSeedTimeLimit = absl::Seconds(120);
constexpr int kSeedRounds = 3;

void Progress(const std::string& line) { std::cerr << "crm-loadgen: " << line << std::endl; }

// True for 127.0.0.0/8, ::1 and localhost (and unix sockets). Load is only ever sent to
// this machine: the workplace forbids load against any other address.
bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost") || host == "::1") return true;
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value = 0;
    if (!absl::SimpleAtoi(octet, &value) || value < 0 || value > 255) return false;
  }
  return true;
}

// Signs in through the gateway and returns the access token every measured call carries.
// Its lifetime (15 minutes by default) outlasts a run.
absl::StatusOr<std::string> SignIn(const std::string& target, const std::string& username,
                                   const std::string& password) {
  auto stub = auth::v1::AuthService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auth::v1::LoginRequest request;
  request.set_username(username);
  request.set_password(password);
  auth::v1::LoginResponse response;
  if (grpc::Status st = stub->Login(&context, request, &response); !st.ok()) {
    return crm::FromGrpcStatus(st);
  }
  return response.access_token();
}

// Accepts "host:port", "[v6]:port" and the gRPC scheme prefixes ipv4:, ipv6:, dns:///,
// unix:. Fails with the reason when the target is not on this machine.
absl::Status CheckLoopbackTarget(const std::string& flag, const std::string& target) {
  absl::string_view rest = target;
  if (absl::StartsWith(rest, "unix:")) return absl::OkStatus();
  absl::ConsumePrefix(&rest, "dns:///") || absl::ConsumePrefix(&rest, "ipv4:") ||
      absl::ConsumePrefix(&rest, "ipv6:");
  absl::string_view host;
  if (absl::ConsumePrefix(&rest, "[")) {
    host = rest.substr(0, rest.find(']'));
  } else {
    host = rest.substr(0, rest.rfind(':'));
  }
  if (!IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", target,
                     ": only loopback targets (127.0.0.0/8, ::1, localhost) are "
                     "allowed; crm-loadgen never sends load to another machine"));
  }
  return absl::OkStatus();
}

ScenarioResult Skipped(const std::string& name, const std::string& why) {
  ScenarioResult result;
  result.name = name;
  result.skipped = true;
  result.first_error = why;
  return result;
}

// When a scenario may start: once the servers together use less than `cores`, waiting at
// most `limit` (0: start at once).
struct QuietOptions {
  double cores = 0;
  std::chrono::milliseconds limit{0};
};

// Runs `run` once the stack is quiet, measuring the CPU each process uses while it runs.
ScenarioResult RunMeasured(const std::string& name, const std::vector<ServerProcess>& servers,
                           const QuietOptions& quiet,
                           const std::function<ScenarioResult()>& run) {
  QuietWait wait;
  if (quiet.limit.count() > 0) {
    wait = WaitForQuiet(servers, quiet.cores, quiet.limit);
    if (!wait.settled) {
      Progress(absl::StrFormat("%s starts on a busy stack: the servers still use %.2f cores",
                               name, wait.cores));
    }
  }
  CpuMeter cpu(servers);
  ScenarioResult result = run();
  result.cpu_cores = cpu.CoresUsed();
  result.quiet_wait_s = wait.seconds;
  result.started_quiet = wait.settled;
  result.busy_cores_at_start = wait.cores;
  return result;
}

// A gRPC scenario: a blocking probe first, so a target that is down is reported once
// instead of as thousands of errors.
ScenarioResult RunGrpcScenario(const std::string& name, const LoadOptions& options,
                               const std::vector<ServerProcess>& servers,
                               const QuietOptions& quiet, CustomerCalls& calls,
                               const std::string& probe_name, const AsyncOperation& operation) {
  Progress(absl::StrCat(name, " ..."));
  if (absl::Status probe = calls.Probe(probe_name); !probe.ok()) {
    return Skipped(name, absl::StrCat("the target does not answer: ", probe.ToString()));
  }
  return RunMeasured(name, servers, quiet,
                     [&] { return RunAsyncLoad(name, options, operation); });
}

// Creates `count` customers for the reads to pick from. One create at a time: seeding is
// not measured, and concurrent creates can deadlock in the store (see RESULTS.md), which
// would leave fewer customers than asked for. A few rounds make up for sporadic failures.
std::vector<std::string> Seed(CustomerCalls& direct, const std::string& run_id, int count) {
  CreatedNames created;
  size_t have = 0;
  for (int round = 0; round < kSeedRounds && have < static_cast<size_t>(count); ++round) {
    const ScenarioResult seed =
        RunAsyncLoad("seed",
                     LoadOptions{.concurrency = 1,
                                 .warmup = absl::ZeroDuration(),
                                 .duration = kSeedTimeLimit,
                                 .max_operations = count - static_cast<int64_t>(have)},
                     direct.Create(absl::StrCat(run_id, "-seed", round, "-"), &created));
    have += static_cast<size_t>(seed.ok);
    if (!seed.first_error.empty()) {
      Progress(absl::StrCat("seeding: ", seed.errors, " creates failed, the first with ",
                            seed.first_error));
    }
  }
  return created.Take();
}

struct ImportSetup {
  std::string gateway;
  std::string token;
  DbOptions db;
  std::string prefix;  // the run's id: external ids are "<prefix>-grpc-N" and "<prefix>-raw-N"
  int64_t rows = 0;
  int chunk = 0;
  absl::Duration timeout;
  bool keep = false;
  double target_ratio = 0;
};

// The import through the gateway, then LOAD DATA LOCAL INFILE of the same rows (the file is
// written before the clock starts), each followed by its clean-up unless asked to keep.
ImportComparison MeasureImport(const ImportSetup& setup,
                               const std::vector<ServerProcess>& servers) {
  ImportComparison result;
  result.rows = setup.rows;
  result.chunk = setup.chunk;
  result.target_ratio = setup.target_ratio;

  Progress(absl::StrCat("ImportCustomers of ", setup.rows, " rows via gateway ..."));
  const std::string grpc_prefix = absl::StrCat(setup.prefix, "-grpc");
  {
    CpuMeter cpu(servers);
    result.gateway = ImportThroughGrpc(setup.gateway, setup.token, grpc_prefix, setup.rows,
                                       setup.chunk, setup.timeout);
    result.gateway_cpu = cpu.CoresUsed();
  }
  if (!setup.keep && !result.gateway.batch.empty()) {
    Progress(absl::StrCat("rolling back ", result.gateway.batch, " ..."));
    if (absl::Status st =
            RollbackImport(setup.gateway, setup.token, result.gateway.batch, setup.timeout);
        !st.ok()) {
      Progress(absl::StrCat("the rollback failed (the rows stay): ", st.ToString()));
    }
  }

  Progress(absl::StrCat("LOAD DATA LOCAL INFILE of the same ", setup.rows, " rows ..."));
  const std::string raw_prefix = absl::StrCat(setup.prefix, "-raw");
  const std::string path = (std::filesystem::temp_directory_path() /
                            absl::StrCat("crm-loadgen-", raw_prefix, ".tsv"))
                               .string();
  const std::string owner =
      result.gateway.importer.empty() ? std::string("users/0") : result.gateway.importer;
  DbOptions db = setup.db;
  db.local_infile = true;
  absl::StatusOr<std::unique_ptr<RawSqlClient>> client = RawSqlClient::Connect(db);
  absl::Status written = client.ok() ? WriteCustomerLoadFile(path, raw_prefix, setup.rows, owner,
                                                             absl::Now())
                                     : client.status();
  if (written.ok()) {
    CpuMeter cpu(servers);
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<int64_t> loaded = (*client)->LoadCustomers(path);
    result.raw_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.raw_cpu = cpu.CoresUsed();
    if (loaded.ok()) {
      result.raw_rows = *loaded;
      if (result.raw_seconds > 0) result.raw_rows_per_second = *loaded / result.raw_seconds;
    } else {
      result.raw_error = loaded.status().ToString();
    }
    if (!setup.keep) {
      absl::StatusOr<int64_t> deleted = (*client)->DeleteByExternalIdPrefix(raw_prefix);
      if (!deleted.ok()) {
        Progress(absl::StrCat("deleting the loaded rows failed: ", deleted.status().ToString()));
      }
    }
  } else {
    result.raw_error = written.ToString();
  }
  std::remove(path.c_str());
  return result;
}

std::string Timestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

int Run(int argc, char** argv) {
  config::Flags flags(argc, argv, "crm-loadgen");
  const std::string gateway_target =
      flags.String("gateway", "127.0.0.1:50051", "the gateway's gRPC address (loopback only)");
  const std::string direct_target = flags.String(
      "direct", "127.0.0.1:50061", "the customers service's gRPC address (loopback only)");
  DbOptions db;
  db.unix_socket = flags.String("db_socket", "", "MariaDB unix socket (instead of host/port)");
  db.host = flags.String("db_host", "127.0.0.1", "MariaDB host (loopback only)");
  db.port = flags.Int("db_port", 3306, "MariaDB port", 1, 65535);
  db.user = flags.String("db_user", "crm_customers", "MariaDB user of the customers schema");
  db.password = flags.String("db_password", "", "MariaDB password");
  db.schema = flags.String("db_name", "crm_customers", "the customers schema");
  const std::string pid_dir =
      flags.String("pid_dir", ".dev/run", "directory of <name>.pid files (as tools/dev writes)");
  LoadOptions options;
  options.concurrency =
      flags.Int("concurrency", 16, "calls in flight (SQL: connections) per scenario", 1, 1024);
  options.duration =
      absl::Seconds(flags.Int("duration_s", 10, "measured seconds per scenario", 1, 600));
  options.warmup =
      absl::Seconds(flags.Int("warmup_s", 1, "unmeasured warm-up seconds per scenario", 0, 60));
  const int seed_count =
      flags.Int("seed_customers", 1000, "customers created before the reads", 1, 1000000);
  const int call_timeout_s = flags.Int("call_timeout_s", 5, "deadline of each gRPC call", 1, 60);
  QuietOptions quiet;
  quiet.cores = flags.Int("quiet_percent", 25,
                          "a scenario starts once the servers together use less CPU than this "
                          "(percent of one core)",
                          1, 6400) /
                100.0;
  quiet.limit = std::chrono::seconds(
      flags.Int("quiet_wait_s", 60,
                "how long a scenario waits for the servers to be quiet (0: not at all)", 0, 3600));
  const bool json = flags.Bool("json", false, "print one JSON object instead of the table");
  const std::string operations_flag = flags.String(
      "operations", kOperations, "which operations to measure, of get, list and create");
  const std::string list_filter =
      flags.String("list_filter", "region.province = \"浙江\" AND industry = \"制造业\"",
                   "the filter of the ListCustomers scenario");
  const int list_page_size =
      flags.Int("list_page_size", 50, "the page size of the ListCustomers scenario", 1, 1000);
  const int import_rows = flags.Int("import_rows", 100000,
                                    "rows of the import scenario (--operations=import)", 1,
                                    10000000);
  const int import_chunk =
      flags.Int("import_chunk", 1000, "rows per ImportCustomers message", 1, 1000);
  const int import_timeout_s = flags.Int(
      "import_timeout_s", 1800, "deadline of the ImportCustomers call", 10, 24 * 3600);
  const bool import_keep = flags.Bool(
      "import_keep", false,
      "keep the imported and loaded rows (by default the batch is rolled back and the loaded "
      "rows deleted after the measurement)");
  const std::string username =
      flags.String("username", "admin", "user the calls are made as (signed in through --gateway)");
  const std::string password = flags.Required("password", "that user's password (env CRM_PASSWORD)");
  flags.Finish();

  for (const auto& [flag, target] : {std::pair<std::string, std::string>{"gateway", gateway_target},
                                     {"direct", direct_target}}) {
    if (absl::Status st = CheckLoopbackTarget(flag, target); !st.ok()) {
      std::cerr << "crm-loadgen: " << st.message() << "\n";
      return 2;
    }
  }
  if (db.unix_socket.empty() && !IsLoopbackHost(db.host)) {
    std::cerr << "crm-loadgen: --db_host=" << db.host << ": only loopback hosts are allowed\n";
    return 2;
  }
  std::set<std::string> operations;
  for (absl::string_view op : absl::StrSplit(operations_flag, ',', absl::SkipWhitespace())) {
    op = absl::StripAsciiWhitespace(op);
    if (op != "get" && op != "list" && op != "create" && op != "import") {
      std::cerr << "crm-loadgen: --operations: \"" << op
                << "\" is not get, list, create or import\n";
      return 2;
    }
    operations.emplace(op);
  }
  // The List page exactly as the service compiles it for the admin (whose record rule is
  // TRUE), so the raw SQL ceiling runs the statement the store runs.
  customers::v1::ListCustomersRequest list_request;
  list_request.set_filter(list_filter);
  list_request.set_page_size(list_page_size);
  const api::PageTokenCodec unused_tokens("crm-loadgen: first pages carry no token");
  absl::StatusOr<api::ListQuery> list_query = api::PrepareList(
      list_request, customers::CustomerStore::ListSpec(), unused_tokens, username);
  if (!list_query.ok()) {
    std::cerr << "crm-loadgen: --list_filter: " << list_query.status().message() << "\n";
    return 2;
  }
  const api::SqlFragment list_statement =
      records::PageStatement(customers::sql::kSelectColumns, customers::sql::kFromLive,
                             {.sql = "TRUE", .params = {}}, *list_query);

  Report report;
  const absl::Time started = absl::Now();
  report.started_at = Timestamp(started);
  report.options = options;
  const std::vector<ServerProcess> servers = FindServers(pid_dir);
  const std::vector<MemorySample> idle_memory = SampleMemory(servers);

  // Request ids must never repeat across runs, or creates would replay earlier results.
  const std::string run_id = absl::StrCat("lg", absl::ToUnixMillis(started), "-", getpid());
  const absl::Duration call_timeout = absl::Seconds(call_timeout_s);
  absl::StatusOr<std::string> token = SignIn(gateway_target, username, password);
  if (!token.ok()) {
    std::cerr << "crm-loadgen: cannot sign in as " << username << ": " << token.status().message()
              << "\n";
    return 1;
  }
  CustomerCalls gateway(gateway_target, call_timeout, *token);
  CustomerCalls direct(direct_target, call_timeout, *token);

  const bool per_call = operations.contains("get") || operations.contains("list") ||
                        operations.contains("create");
  std::vector<std::string> names;
  if (per_call) {
    Progress(absl::StrCat("seeding ", seed_count, " customers through ", direct_target, " ..."));
    names = Seed(direct, run_id, seed_count);
  }
  report.seeded = static_cast<int64_t>(names.size());
  if (per_call && names.empty()) {
    std::cerr << "crm-loadgen: seeding created no customer through " << direct_target
              << " (is the stack up? ./tools/dev up)\n";
    return 1;
  }
  std::vector<int64_t> ids;
  ids.reserve(names.size());
  for (const std::string& name : names) ids.push_back(CustomerId(name));

  // One connection per worker thread, opened before any scenario so connects are not timed.
  std::vector<std::unique_ptr<RawSqlClient>> sql_clients;
  std::string sql_error;
  for (int i = 0; i < options.concurrency && sql_error.empty(); ++i) {
    absl::StatusOr<std::unique_ptr<RawSqlClient>> client = RawSqlClient::Connect(db);
    if (client.ok()) {
      sql_clients.push_back(*std::move(client));
    } else {
      sql_error = absl::StrCat("cannot connect to MariaDB: ", client.status().ToString());
    }
  }
  auto run_sql = [&](const std::string& name,
                     const std::function<absl::Status(RawSqlClient&, int64_t)>& body) {
    Progress(absl::StrCat(name, " ..."));
    if (!sql_error.empty()) return Skipped(name, sql_error);
    std::vector<SyncOperation> workers;
    int64_t retries_before = 0;
    for (auto& client : sql_clients) {
      workers.push_back([&client, &body](int64_t sequence) { return body(*client, sequence); });
      retries_before += client->conflict_retries();
    }
    ScenarioResult result = RunMeasured(name, servers, quiet,
                                        [&] { return RunThreadLoad(name, options, workers); });
    result.conflict_retries = -retries_before;
    for (auto& client : sql_clients) result.conflict_retries += client->conflict_retries();
    return result;
  };

  if (operations.contains("get")) {
    OperationResults get;
    get.operation = "GetCustomer";
    get.target_ratio = kReadTarget;
    get.gateway = RunGrpcScenario("GetCustomer via gateway", options, servers, quiet, gateway,
                                  names.front(), gateway.Get(names));
    get.direct = RunGrpcScenario("GetCustomer direct", options, servers, quiet, direct,
                                 names.front(), direct.Get(names));
    get.raw_sql = run_sql("GetCustomer raw SQL", [&ids](RawSqlClient& client, int64_t sequence) {
      return client.Get(ids[Mix(static_cast<uint64_t>(sequence)) % ids.size()]);
    });
    report.operations.push_back(get);
  }

  if (operations.contains("list")) {
    OperationResults list;
    list.operation = "ListCustomers";
    list.target_ratio = kListTarget;
    list.gateway = RunGrpcScenario("ListCustomers via gateway", options, servers, quiet, gateway,
                                   names.front(), gateway.List(list_request));
    list.direct = RunGrpcScenario("ListCustomers direct", options, servers, quiet, direct,
                                  names.front(), direct.List(list_request));
    list.raw_sql =
        run_sql("ListCustomers raw SQL", [&list_statement](RawSqlClient& client, int64_t) {
          return client.Query(list_statement);
        });
    report.operations.push_back(list);
  }

  if (operations.contains("create")) {
    OperationResults create;
    create.operation = "CreateCustomer";
    create.target_ratio = kWriteTarget;
    create.gateway =
        RunGrpcScenario("CreateCustomer via gateway", options, servers, quiet, gateway,
                        names.front(), gateway.Create(absl::StrCat(run_id, "-gw-"), nullptr));
    create.direct =
        RunGrpcScenario("CreateCustomer direct", options, servers, quiet, direct,
                        names.front(), direct.Create(absl::StrCat(run_id, "-direct-"), nullptr));
    const std::string raw_prefix = absl::StrCat(run_id, "-sql-");
    create.raw_sql =
        run_sql("CreateCustomer raw SQL", [&raw_prefix](RawSqlClient& client, int64_t sequence) {
          return client.Create(SampleCustomer(raw_prefix, sequence),
                               absl::StrCat(raw_prefix, sequence));
        });
    report.operations.push_back(create);
  }
  sql_clients.clear();

  if (operations.contains("import")) {
    report.import = MeasureImport(
        ImportSetup{.gateway = gateway_target,
                    .token = *token,
                    .db = db,
                    .prefix = run_id,
                    .rows = import_rows,
                    .chunk = import_chunk,
                    .timeout = absl::Seconds(import_timeout_s),
                    .keep = import_keep,
                    .target_ratio = kImportTarget},
        servers);
  }

  report.memory = MergeMemory(idle_memory, SampleMemory(FindServers(pid_dir)));
  std::cout << (json ? FormatJson(report) : FormatTable(report));
  return 0;
}

}  // namespace
}  // namespace crm::loadgen

int main(int argc, char** argv) { return crm::loadgen::Run(argc, argv); }
