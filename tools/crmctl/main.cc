// crmctl: the command-line client of the CRM suite. Talks gRPC to the gateway (or straight
// to a service), prints results as JSON on stdout and errors as code, reason, message and
// field violations on stderr.
//
// Exit status: 0 success, 1 the call failed (or health is not SERVING), 2 bad usage.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/analytics/v1/analytics.grpc.pb.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/base/csv.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_csv.h"
#include "tools/crmctl/activities_demo.h"
#include "tools/crmctl/demo_data.h"
#include "tools/crmctl/knowledge_demo.h"
#include "tools/crmctl/opportunities_demo.h"
#include "tools/crmctl/orders_demo.h"

namespace crm::crmctl {
namespace {

namespace customers = crm::customers::v1;
namespace authv1 = crm::auth::v1;
namespace knowledge = crm::knowledge::v1;
namespace orders = crm::orders::v1;
namespace opportunities = crm::opportunities::v1;
namespace activities = crm::activities::v1;
namespace analytics = crm::analytics::v1;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr absl::Duration kHealthDeadline = absl::Seconds(2);
constexpr absl::Duration kCallDeadline = absl::Seconds(10);
// An import or export of many rows takes as long as it takes; the deadline only bounds a hang.
constexpr absl::Duration kBulkDeadline = absl::Hours(2);
constexpr int kImportRowsPerMessage = 500;
// demo-load retries a create that found the server unavailable: creates carry a fixed
// request_id, so a retry can never create a second copy.
constexpr int kDemoLoadAttempts = 5;

constexpr char kUsage[] = R"(usage: crmctl [--target=HOST:PORT] [--token=TOKEN] COMMAND ...

commands:
  health [ADDR]                       grpc.health.v1 check of ADDR (default: the target);
                                      prints SERVING or NOT_SERVING, exit 0 only when SERVING
  customers list [--filter=EXPR] [--order_by=FIELDS] [--page_size=N] [--page_token=T]
  customers get NAME                  NAME is "customers/42" (or just 42)
  customers create --display_name=NAME --kind=COMPANY|PERSON [--industry=] [--size_band=]
                   [--country=] [--province=] [--city=] [--address=] [--phone=]...
                   [--email=]... [--tag=]... [--source=] [--owner=] [--notes=]
                   [--request_id=ID]
  customers search QUERY [--filter=EXPR] [--page_size=N] [--page_token=T]
                                      ranked search, Chinese or English, or a phone fragment
  customers export [--filter=EXPR] [--order_by=FIELDS]
                                      what you may read, as CSV (RFC 4180) on stdout
  customers import FILE [--dry_run] [--label=L] [--allow_duplicates]
                                      CSV with a header of export columns ("-": stdin); rows
                                      with a known external_id update; prints failed rows
  login USERNAME [--password=P]       sign in; prints the access token on stdout (the password
                                      comes from --password, else $CRM_PASSWORD, else stdin)
  whoami                              the signed-in user
  users list [--filter=EXPR] [--page_size=N] [--page_token=T]
  users create --username=U --display_name=N --role=ROLE [--team=teams/N] [--email=E]
               --password=P
  teams list
  teams create --display_name=N [--manager=users/N]
  call METHOD [JSON]                  any unary method of any service, e.g.
                                      crm.knowledge.v1.CatalogService/ListProducts; the request
                                      is JSON (proto field names) from the argument or stdin,
                                      "{}" when neither
  report export JSON                  a report as CSV on stdout; JSON is an
                                      crm.analytics.v1.ExportReportRequest (argument or stdin):
                                      {"report": {"sales"|"funnel"|"trend"|"distribution"|
                                      "campaigns": {...}}}
  report chart JSON                   a report's chart as SVG on stdout; JSON is a
                                      crm.analytics.v1.RenderChartRequest (reports: sales,
                                      funnel, trend, distribution, forecast, win_loss, ranking,
                                      e.g. '{"report": {"ranking": {"start_date": {...},
                                      "end_date": {...}, "currency_code": "CNY"}}}')
  demo-load                           create the demo team, its users and their customers,
                                      the demo catalog, leads, opportunities, orders,
                                      activities and tasks
                                      (safe to run again); needs $CRM_ADMIN_PASSWORD and
                                      $CRM_DEMO_PASSWORD

--target defaults to $CRM_TARGET, else 127.0.0.1:$CRM_GATEWAY_PORT (50051).
--token (or $CRM_TOKEN) is sent as "authorization: Bearer TOKEN".
TLS: with $CRM_TLS_CA (a PEM file) the connection uses TLS and trusts that CA; add
$CRM_TLS_CLIENT_CERT and $CRM_TLS_CLIENT_KEY to reach a service that requires a client
certificate (tools/dev up --tls sets up both; deploy/README.md, "TLS").
examples:
  export CRM_TOKEN=$(crmctl login li.lei)
  crmctl customers list --filter='region.province = "浙江" AND tags:"vip"' --page_size=10
  crmctl call crm.knowledge.v1.CatalogService/GetProductPrice \
      '{"product": "products/1", "currency_code": "CNY", "at_time": "2026-09-01T00:00:00Z"}'
)";

// "--name=value" flags (repeatable, in any position) and the remaining positional words.
class CommandLine final {
 public:
  static absl::StatusOr<CommandLine> Parse(int argc, char** argv) {
    CommandLine line;
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (arg.substr(0, 2) != "--") {
        line.positional_.emplace_back(arg);
        continue;
      }
      arg.remove_prefix(2);
      size_t eq = arg.find('=');
      if (eq == 0) return absl::InvalidArgumentError(absl::StrCat("bad flag \"", argv[i], "\""));
      // A bare "--help" reads as "--help=true".
      std::string name(arg.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "true" : std::string(arg.substr(eq + 1));
      line.flags_[name].push_back(std::move(value));
    }
    return line;
  }

  bool Has(std::string_view name) const { return flags_.contains(std::string(name)); }
  // The last value given, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = "") const {
    auto it = flags_.find(std::string(name));
    return it == flags_.end() ? std::string(fallback) : it->second.back();
  }
  std::vector<std::string> GetAll(std::string_view name) const {
    auto it = flags_.find(std::string(name));
    return it == flags_.end() ? std::vector<std::string>{} : it->second;
  }
  const std::vector<std::string>& positional() const { return positional_; }

  // A misspelt flag is an error rather than silently ignored.
  absl::Status CheckOnly(const std::set<std::string_view>& allowed) const {
    for (const auto& [name, values] : flags_) {
      if (!allowed.contains(name) && !kGlobalFlags.contains(name)) {
        return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
      }
    }
    return absl::OkStatus();
  }

 private:
  static inline const std::set<std::string_view> kGlobalFlags = {"target", "token", "help"};

  std::map<std::string, std::vector<std::string>> flags_;
  std::vector<std::string> positional_;
};

std::string EnvOr(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : std::string(fallback);
}

// A random UUID (version 4): unique per call, so logs of every hop can be joined on it.
std::string NewUuid() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  uint64_t hi = engine();
  uint64_t lo = engine();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof(out), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return out;
}

std::string ReadFileOrDie(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "crmctl: cannot read " << path << "\n";
    std::exit(2);
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Plaintext, or TLS when $CRM_TLS_CA names a CA (with a client certificate when
// $CRM_TLS_CLIENT_CERT and $CRM_TLS_CLIENT_KEY name one).
std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  const char* ca = std::getenv("CRM_TLS_CA");
  if (ca == nullptr || *ca == '\0') return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrDie(ca);
  const char* cert = std::getenv("CRM_TLS_CLIENT_CERT");
  const char* key = std::getenv("CRM_TLS_CLIENT_KEY");
  if (cert != nullptr && *cert != '\0' && key != nullptr && *key != '\0') {
    options.pem_cert_chain = ReadFileOrDie(cert);
    options.pem_private_key = ReadFileOrDie(key);
  }
  return grpc::SslCredentials(options);
}

// Per-call settings shared by every command.
class Client final {
 public:
  Client(std::string target, std::string token)
      : target_(std::move(target)),
        token_(std::move(token)),
        channel_(grpc::CreateChannel(target_, Credentials())) {}

  // The same target, signed in with another token.
  Client WithToken(std::string token) const { return Client(target_, std::move(token)); }

  const std::string& target() const { return target_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Every call carries a fresh x-request-id and, when given, the caller's token.
  void Prepare(grpc::ClientContext& context, absl::Duration deadline) const {
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    context.AddMetadata("x-request-id", NewUuid());
    if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
  }

 private:
  std::string target_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
};

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  // Field names as the proto spells them, the same names `--filter` and `--order_by` take.
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto st = google::protobuf::util::MessageToJsonString(message, &json, options); !st.ok()) {
    std::cerr << "error: cannot print the response as JSON: " << st.ToString() << "\n";
    return;
  }
  std::cout << json;
  if (json.empty() || json.back() != '\n') std::cout << "\n";
}

// "error: INVALID_ARGUMENT (INVALID_ARGUMENT): message" and one line per field violation.
void PrintError(const grpc::Status& rpc_status) {
  absl::Status status = crm::FromGrpcStatus(rpc_status);
  std::string code = absl::AsciiStrToUpper(absl::StatusCodeToString(status.code()));
  std::string reason = crm::ErrorReason(status);
  std::cerr << "error: " << code;
  if (!reason.empty() && reason != code) std::cerr << " (" << reason << ")";
  std::cerr << ": " << status.message() << "\n";
  for (const auto& violation : crm::FieldViolations(status)) {
    std::cerr << "  " << violation.field << ": " << violation.description << "\n";
  }
}

int UsageError(std::string_view message) {
  std::cerr << "crmctl: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

int UsageError(const absl::Status& status) { return UsageError(std::string(status.message())); }

int Health(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  if (line.positional().size() > 2) return UsageError("health takes at most one address");
  std::string address = line.positional().size() == 2 ? line.positional()[1] : client.target();
  Client target(address, "");
  auto stub = grpc::health::v1::Health::NewStub(target.channel());
  grpc::ClientContext context;
  target.Prepare(context, kHealthDeadline);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("");  // the whole server
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    PrintError(status);
    return kExitFailed;
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk
                                                                             : kExitFailed;
}

// Calls one unary method and prints the response, or the error.
template <typename Request, typename Response, typename Method>
int CallAndPrint(const Client& client, const Request& request, Method method) {
  grpc::ClientContext context;
  client.Prepare(context, kCallDeadline);
  Response response;
  if (grpc::Status status = method(&context, request, &response); !status.ok()) {
    PrintError(status);
    return kExitFailed;
  }
  PrintJson(response);
  return kExitOk;
}

// Runs `call` until it answers something other than UNAVAILABLE (a server still starting).
int ListCustomers(customers::CustomerService::Stub& stub, const Client& client,
                  const CommandLine& line) {
  if (auto st = line.CheckOnly({"filter", "order_by", "page_size", "page_token"}); !st.ok()) {
    return UsageError(st);
  }
  customers::ListCustomersRequest request;
  request.set_filter(line.Get("filter"));
  request.set_order_by(line.Get("order_by"));
  request.set_page_token(line.Get("page_token"));
  if (line.Has("page_size")) {
    int page_size = 0;
    if (!absl::SimpleAtoi(line.Get("page_size"), &page_size)) {
      return UsageError("--page_size must be a number");
    }
    request.set_page_size(page_size);
  }
  return CallAndPrint<customers::ListCustomersRequest, customers::ListCustomersResponse>(
      client, request,
      [&](auto* ctx, const auto& req, auto* resp) { return stub.ListCustomers(ctx, req, resp); });
}

int GetCustomer(customers::CustomerService::Stub& stub, const Client& client,
                const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  if (line.positional().size() != 3) return UsageError("customers get takes one NAME");
  customers::GetCustomerRequest request;
  std::string name = line.positional()[2];
  // A bare id is accepted for convenience; the server decides whether it is valid.
  if (name.find('/') == std::string::npos) name = "customers/" + name;
  request.set_name(name);
  return CallAndPrint<customers::GetCustomerRequest, customers::Customer>(
      client, request,
      [&](auto* ctx, const auto& req, auto* resp) { return stub.GetCustomer(ctx, req, resp); });
}

int CreateCustomer(customers::CustomerService::Stub& stub, const Client& client,
                   const CommandLine& line) {
  if (auto st = line.CheckOnly({"display_name", "kind", "industry", "size_band", "country",
                                "province", "city", "address", "phone", "email", "tag", "source",
                                "owner", "notes", "request_id"});
      !st.ok()) {
    return UsageError(st);
  }
  if (line.positional().size() != 2) return UsageError("customers create takes only flags");
  customers::CreateCustomerRequest request;
  customers::Customer* customer = request.mutable_customer();
  customer->set_display_name(line.Get("display_name"));
  // Validation of values is the server's job; only enum spelling is checked here, because
  // protobuf has no other way to carry an unknown name.
  customers::CustomerKind kind = customers::CUSTOMER_KIND_UNSPECIFIED;
  if (line.Has("kind") &&
      !customers::CustomerKind_Parse(absl::AsciiStrToUpper(line.Get("kind")), &kind)) {
    return UsageError("--kind must be COMPANY or PERSON");
  }
  customer->set_kind(kind);
  customers::SizeBand size_band = customers::SIZE_BAND_UNSPECIFIED;
  if (line.Has("size_band") &&
      !customers::SizeBand_Parse(absl::AsciiStrToUpper(line.Get("size_band")), &size_band)) {
    return UsageError("--size_band must be MICRO, SMALL, MEDIUM, LARGE or ENTERPRISE");
  }
  customer->set_size_band(size_band);
  customer->set_industry(line.Get("industry"));
  customer->mutable_region()->set_country(line.Get("country"));
  customer->mutable_region()->set_province(line.Get("province"));
  customer->mutable_region()->set_city(line.Get("city"));
  customer->set_address(line.Get("address"));
  for (const auto& phone : line.GetAll("phone")) customer->add_phones(phone);
  for (const auto& email : line.GetAll("email")) customer->add_emails(email);
  for (const auto& tag : line.GetAll("tag")) customer->add_tags(tag);
  customer->set_source(line.Get("source"));
  customer->set_owner(line.Get("owner"));
  customer->set_notes(line.Get("notes"));
  // A fresh key unless the caller gives one: re-running with the same --request_id is safe.
  request.set_request_id(line.Get("request_id", NewUuid()));

  return CallAndPrint<customers::CreateCustomerRequest, customers::Customer>(
      client, request,
      [&](auto* ctx, const auto& req, auto* resp) { return stub.CreateCustomer(ctx, req, resp); });
}

int SearchCustomers(customers::CustomerService::Stub& stub, const Client& client,
                    const CommandLine& line) {
  if (auto st = line.CheckOnly({"filter", "page_size", "page_token"}); !st.ok()) {
    return UsageError(st);
  }
  if (line.positional().size() != 3) return UsageError("customers search takes one QUERY");
  customers::SearchCustomersRequest request;
  request.set_query(line.positional()[2]);
  request.set_filter(line.Get("filter"));
  int page_size = 0;
  if (line.Has("page_size") && !absl::SimpleAtoi(line.Get("page_size"), &page_size)) {
    return UsageError("--page_size must be a number");
  }
  request.set_page_size(page_size);
  request.set_page_token(line.Get("page_token"));
  return CallAndPrint<customers::SearchCustomersRequest, customers::SearchCustomersResponse>(
      client, request,
      [&](auto* ctx, const auto& req, auto* resp) { return stub.SearchCustomers(ctx, req, resp); });
}

// Every customer the caller may read that matches --filter, as CSV on stdout.
int ExportCustomers(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({"filter", "order_by"}); !st.ok()) return UsageError(st);
  if (line.positional().size() != 2) return UsageError("customers export takes only flags");
  auto stub = customers::CustomerBulkService::NewStub(client.channel());
  customers::ExportCustomersRequest request;
  request.set_filter(line.Get("filter"));
  request.set_order_by(line.Get("order_by"));
  request.set_format(customers::CSV);
  grpc::ClientContext ctx;
  client.Prepare(ctx, kBulkDeadline);
  auto reader = stub->ExportCustomers(&ctx, request);
  customers::ExportCustomersResponse chunk;
  while (reader->Read(&chunk)) std::cout << chunk.csv();
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    PrintError(status);
    return kExitFailed;
  }
  return kExitOk;
}

// Streams the records of a CSV file (a header line naming export columns first) to
// ImportCustomers, kImportRowsPerMessage rows per message, each row numbered by its line;
// prints every row that failed on stderr and the batch on stdout.
int ImportCustomers(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({"dry_run", "label", "allow_duplicates"}); !st.ok()) {
    return UsageError(st);
  }
  if (line.positional().size() != 3) {
    return UsageError("customers import takes one FILE (CSV; \"-\" reads stdin)");
  }
  const std::string& path = line.positional()[2];
  const std::string text = path == "-" ? std::string(std::istreambuf_iterator<char>(std::cin),
                                                     std::istreambuf_iterator<char>())
                                       : ReadFileOrDie(path.c_str());
  auto stub = customers::CustomerBulkService::NewStub(client.channel());
  grpc::ClientContext ctx;
  client.Prepare(ctx, kBulkDeadline);
  auto stream = stub->ImportCustomers(&ctx);

  // Results are read while rows are written: the server reads no further rows while the
  // results of earlier ones go unread.
  customers::ImportBatch summary;
  std::thread reader([&] {
    customers::ImportCustomersResponse response;
    while (stream->Read(&response)) {
      if (response.has_summary()) summary = response.summary();
      for (const auto& r : response.results().results()) {
        if (r.outcome() != customers::ImportRowResult::FAILED) continue;
        std::cerr << "line " << r.row_number() << ": " << r.reason() << ": " << r.message() << "\n";
        for (const auto& v : r.field_violations()) {
          std::cerr << "  " << v.field() << ": " << v.description() << "\n";
        }
      }
    }
  });

  customers::ImportCustomersRequest options;
  options.mutable_options()->set_dry_run(line.Has("dry_run"));
  options.mutable_options()->set_label(line.Get("label"));
  if (line.Has("allow_duplicates")) {
    options.mutable_options()->set_duplicates(customers::ALLOW_DUPLICATES);
  }
  bool open = stream->Write(options);
  customers::ImportCustomersRequest rows;
  auto flush = [&] {
    if (rows.rows().rows().empty()) return true;
    const bool written = stream->Write(rows);
    rows.Clear();
    return written;
  };
  CsvReader csv(text);
  std::optional<::crm::customers::CsvCustomerReader> columns;
  absl::Status bad;
  std::vector<std::string> record;
  while (open && csv.Next(&record)) {
    if (!columns) {
      auto header = ::crm::customers::CsvCustomerReader::ForHeader(record);
      if (!header.ok()) {
        bad = header.status();
        break;
      }
      columns.emplace(std::move(*header));
      continue;
    }
    absl::StatusOr<customers::Customer> customer = columns->Read(record);
    if (!customer.ok()) {
      bad = absl::InvalidArgumentError(
          absl::StrCat("line ", csv.record_line(), ": ", customer.status().message()));
      break;
    }
    customers::ImportRow* row = rows.mutable_rows()->add_rows();
    row->set_row_number(csv.record_line());
    *row->mutable_customer() = std::move(*customer);
    if (rows.rows().rows_size() == kImportRowsPerMessage) open = flush();
  }
  if (bad.ok()) bad = csv.status();
  if (open && bad.ok()) open = flush();
  if (bad.ok()) {
    stream->WritesDone();
  } else {
    ctx.TryCancel();  // nothing half-sent is kept as a complete batch
  }
  reader.join();
  grpc::Status status = stream->Finish();
  if (!bad.ok()) {
    std::cerr << "crmctl: " << path << ": " << bad.message() << "\n";
    return kExitFailed;
  }
  if (!status.ok()) {
    PrintError(status);
    return kExitFailed;
  }
  PrintJson(summary);
  return summary.failed() > 0 ? kExitFailed : kExitOk;
}

int Customers(const Client& client, const CommandLine& line) {
  if (line.positional().size() < 2) {
    return UsageError("customers needs list, get, create, search, import or export");
  }
  auto stub = customers::CustomerService::NewStub(client.channel());
  const std::string& verb = line.positional()[1];
  if (verb == "list") {
    if (line.positional().size() != 2) return UsageError("customers list takes only flags");
    return ListCustomers(*stub, client, line);
  }
  if (verb == "get") return GetCustomer(*stub, client, line);
  if (verb == "create") return CreateCustomer(*stub, client, line);
  if (verb == "search") return SearchCustomers(*stub, client, line);
  if (verb == "export") return ExportCustomers(client, line);
  if (verb == "import") return ImportCustomers(client, line);
  return UsageError(absl::StrCat("unknown customers command \"", verb, "\""));
}

template <typename Call>
grpc::Status WithRetries(const Client& client, Call call) {
  grpc::Status status;
  absl::Duration backoff = absl::Milliseconds(200);
  for (int attempt = 1; attempt <= kDemoLoadAttempts; ++attempt) {
    grpc::ClientContext context;
    client.Prepare(context, kCallDeadline);
    status = call(&context);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == kDemoLoadAttempts) {
      break;
    }
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  return status;
}

absl::StatusOr<authv1::LoginResponse> LoginAs(const Client& client, std::string_view username,
                                              std::string_view password) {
  auto stub = authv1::AuthService::NewStub(client.channel());
  authv1::LoginRequest request;
  request.set_username(std::string(username));
  request.set_password(std::string(password));
  authv1::LoginResponse response;
  grpc::Status status = WithRetries(
      client, [&](grpc::ClientContext* ctx) { return stub->Login(ctx, request, &response); });
  if (!status.ok()) {
    PrintError(status);
    return crm::FromGrpcStatus(status);
  }
  return response;
}

int Login(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({"password"}); !st.ok()) return UsageError(st);
  if (line.positional().size() != 2) return UsageError("login takes one USERNAME");
  std::string password = line.Get("password", EnvOr("CRM_PASSWORD", ""));
  if (password.empty() && !std::getline(std::cin, password)) {
    return UsageError("no password: give --password, $CRM_PASSWORD or one line on stdin");
  }
  auto response = LoginAs(client, line.positional()[1], password);
  if (!response.ok()) return kExitFailed;
  std::cerr << "signed in as " << response->user().username() << " ("
            << authv1::Role_Name(response->user().role()) << "), token valid for "
            << response->expires_in() << " s\n";
  std::cout << response->access_token() << "\n";
  return kExitOk;
}

int WhoAmI(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  auto stub = authv1::AuthService::NewStub(client.channel());
  return CallAndPrint<authv1::GetCurrentUserRequest, authv1::User>(
      client, authv1::GetCurrentUserRequest(),
      [&](auto* ctx, const auto& req, auto* resp) { return stub->GetCurrentUser(ctx, req, resp); });
}

int Users(const Client& client, const CommandLine& line) {
  if (line.positional().size() != 2) return UsageError("users needs list or create");
  auto stub = authv1::AuthService::NewStub(client.channel());
  const std::string& verb = line.positional()[1];
  if (verb == "list") {
    if (auto st = line.CheckOnly({"filter", "page_size", "page_token"}); !st.ok()) {
      return UsageError(st);
    }
    authv1::ListUsersRequest request;
    request.set_filter(line.Get("filter"));
    request.set_page_token(line.Get("page_token"));
    int page_size = 0;
    if (line.Has("page_size") && !absl::SimpleAtoi(line.Get("page_size"), &page_size)) {
      return UsageError("--page_size must be a number");
    }
    request.set_page_size(page_size);
    return CallAndPrint<authv1::ListUsersRequest, authv1::ListUsersResponse>(
        client, request,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->ListUsers(ctx, req, resp); });
  }
  if (verb == "create") {
    if (auto st = line.CheckOnly(
            {"username", "display_name", "role", "team", "email", "password", "request_id"});
        !st.ok()) {
      return UsageError(st);
    }
    authv1::CreateUserRequest request;
    authv1::User* user = request.mutable_user();
    user->set_username(line.Get("username"));
    user->set_display_name(line.Get("display_name"));
    user->set_email(line.Get("email"));
    user->set_team(line.Get("team"));
    authv1::Role role = authv1::ROLE_UNSPECIFIED;
    if (!authv1::Role_Parse(absl::AsciiStrToUpper(line.Get("role")), &role)) {
      return UsageError("--role must be ADMIN, SALES_MANAGER, SALES_REP, MARKETING or SUPPORT");
    }
    user->set_role(role);
    request.set_password(line.Get("password"));
    request.set_request_id(line.Get("request_id", NewUuid()));
    return CallAndPrint<authv1::CreateUserRequest, authv1::User>(
        client, request,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->CreateUser(ctx, req, resp); });
  }
  return UsageError(absl::StrCat("unknown users command \"", verb, "\""));
}

int Teams(const Client& client, const CommandLine& line) {
  if (line.positional().size() != 2) return UsageError("teams needs list or create");
  auto stub = authv1::AuthService::NewStub(client.channel());
  const std::string& verb = line.positional()[1];
  if (verb == "list") {
    if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
    return CallAndPrint<authv1::ListTeamsRequest, authv1::ListTeamsResponse>(
        client, authv1::ListTeamsRequest(),
        [&](auto* ctx, const auto& req, auto* resp) { return stub->ListTeams(ctx, req, resp); });
  }
  if (verb == "create") {
    if (auto st = line.CheckOnly({"display_name", "manager", "request_id"}); !st.ok()) {
      return UsageError(st);
    }
    authv1::CreateTeamRequest request;
    request.mutable_team()->set_display_name(line.Get("display_name"));
    request.mutable_team()->set_manager(line.Get("manager"));
    request.set_request_id(line.Get("request_id", NewUuid()));
    return CallAndPrint<authv1::CreateTeamRequest, authv1::Team>(
        client, request,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->CreateTeam(ctx, req, resp); });
  }
  return UsageError(absl::StrCat("unknown teams command \"", verb, "\""));
}

// The demo team, created once; found by name when it already exists.
absl::StatusOr<authv1::Team> EnsureDemoTeam(const Client& admin) {
  auto stub = authv1::AuthService::NewStub(admin.channel());
  authv1::ListTeamsRequest list;
  list.set_page_size(1000);
  authv1::ListTeamsResponse teams;
  grpc::Status status = WithRetries(
      admin, [&](grpc::ClientContext* ctx) { return stub->ListTeams(ctx, list, &teams); });
  if (!status.ok()) return crm::FromGrpcStatus(status);
  for (const auto& team : teams.teams()) {
    if (team.display_name() == kDemoTeam) return team;
  }
  authv1::CreateTeamRequest create;
  create.mutable_team()->set_display_name(std::string(kDemoTeam));
  create.set_request_id("demo-team");
  authv1::Team team;
  status = WithRetries(
      admin, [&](grpc::ClientContext* ctx) { return stub->CreateTeam(ctx, create, &team); });
  if (!status.ok()) return crm::FromGrpcStatus(status);
  return team;
}

// Each demo user, created once (an existing username is looked up instead).
absl::StatusOr<authv1::User> EnsureDemoUser(const Client& admin, const DemoUser& demo,
                                            const authv1::Team& team, const std::string& password) {
  auto stub = authv1::AuthService::NewStub(admin.channel());
  const std::string username(demo.username);
  authv1::CreateUserRequest create;
  create.mutable_user()->set_username(username);
  create.mutable_user()->set_display_name(std::string(demo.display_name));
  create.mutable_user()->set_email(username + "@demo.crm.local");
  create.mutable_user()->set_role(demo.role);
  if (demo.in_team) create.mutable_user()->set_team(team.name());
  create.set_password(password);
  // Request ids take no dots: "demo-user-wang-fang".
  create.set_request_id("demo-user-" + absl::StrReplaceAll(username, {{".", "-"}}));
  authv1::User user;
  grpc::Status status = WithRetries(
      admin, [&](grpc::ClientContext* ctx) { return stub->CreateUser(ctx, create, &user); });
  if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    authv1::ListUsersRequest list;
    list.set_filter("username = \"" + username + "\"");
    authv1::ListUsersResponse found;
    status = WithRetries(
        admin, [&](grpc::ClientContext* ctx) { return stub->ListUsers(ctx, list, &found); });
    if (status.ok() && found.users_size() == 1) return found.users(0);
    if (status.ok()) return absl::NotFoundError("user " + username);
  }
  if (!status.ok()) return crm::FromGrpcStatus(status);
  return user;
}

// `call METHOD [JSON]`: any unary method of any proto linked into crmctl, its request read
// from JSON with protobuf's own parser and sent as bytes, its response printed as JSON.
int CallMethod(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  if (line.positional().size() < 2 || line.positional().size() > 3) {
    return UsageError("call takes METHOD and at most one JSON request");
  }
  std::string path = line.positional()[1];
  if (!path.starts_with("/")) path = "/" + path;
  std::string full_name = path.substr(1);
  std::replace(full_name.begin(), full_name.end(), '/', '.');
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  if (method == nullptr) return UsageError(absl::StrCat("no method ", path.substr(1)));
  if (method->client_streaming() || method->server_streaming()) {
    return UsageError("call works for unary methods only");
  }
  std::string json = line.positional().size() == 3 ? line.positional()[2] : "";
  if (json.empty() && !isatty(0)) {
    json.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (json.empty()) json = "{}";
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(method->input_type())->New());
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(method->output_type())->New());
  if (auto st = google::protobuf::util::JsonStringToMessage(json, request.get()); !st.ok()) {
    return UsageError(absl::StrCat("the request is not a ", method->input_type()->full_name(),
                                   " in JSON: ", st.message().as_string()));
  }
  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::GenericStub stub(client.channel());
  grpc::ClientContext context;
  client.Prepare(context, kCallDeadline);
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&](grpc::Status status) {
                   result = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!result.ok()) {
    PrintError(result);
    return kExitFailed;
  }
  std::vector<grpc::Slice> slices;
  std::string out;
  if (response_buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices)
      out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (!response->ParseFromString(out)) {
    std::cerr << "error: the response is not a " << method->output_type()->full_name() << "\n";
    return kExitFailed;
  }
  PrintJson(*response);
  return kExitOk;
}

// `text` as a string literal of a List filter (AIP-160): quoted, with quotes and backslashes
// escaped.
std::string FilterString(std::string_view text) {
  const absl::string_view raw(text.data(), text.size());
  return absl::StrCat("\"", absl::StrReplaceAll(raw, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

// Every item of a List method, page by page: `list(context, page_token, &response)` fetches
// one page, `each(response)` takes its items. The next page token comes from `next(response)`.
template <typename Response, typename List, typename Each>
absl::Status ForEachPage(const Client& client, List list, Each each) {
  std::string token;
  do {
    Response page;
    grpc::Status status =
        WithRetries(client, [&](grpc::ClientContext* ctx) { return list(ctx, token, &page); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    each(page);
    token = page.next_page_token();
  } while (!token.empty());
  return absl::OkStatus();
}

// What demo-load did with one demo object.
struct DemoCounts {
  int created = 0;
  int found = 0;
  void Count(bool was_created) { ++(was_created ? created : found); }
};

// The demo catalog, ensured as the admin (a catalog editor): each category (by parent and
// name), product (by SKU) and price (by currency, amount and effective time) is looked up
// first and created only when missing, so a second run, even after the idempotency keys
// have expired, changes nothing. The product names by SKU go to `products`.
absl::Status LoadDemoCatalog(const Client& admin, std::map<std::string, std::string>& products,
                             DemoCounts& counts) {
  auto stub = knowledge::CatalogService::NewStub(admin.channel());
  // Every category there is, by its parent ("" at the top) and its name.
  std::map<std::pair<std::string, std::string>, std::string> existing;
  CRM_RETURN_IF_ERROR(ForEachPage<knowledge::ListCategoriesResponse>(
      admin,
      [&](grpc::ClientContext* ctx, const std::string& token, auto* page) {
        knowledge::ListCategoriesRequest list;
        list.set_page_size(1000);
        list.set_page_token(token);
        return stub->ListCategories(ctx, list, page);
      },
      [&](const knowledge::ListCategoriesResponse& page) {
        for (const knowledge::Category& c : page.categories()) {
          existing[{c.parent(), c.display_name()}] = c.name();
        }
      }));
  std::map<std::string_view, std::string> category_names;
  for (const DemoCategory& demo : DemoCategories()) {
    const std::string parent = demo.parent.empty() ? "" : category_names[demo.parent];
    if (auto it = existing.find({parent, std::string(demo.name)}); it != existing.end()) {
      category_names[demo.key] = it->second;
      counts.Count(false);
      continue;
    }
    knowledge::CreateCategoryRequest create;
    create.mutable_category()->set_display_name(std::string(demo.name));
    create.mutable_category()->set_parent(parent);
    create.set_request_id(absl::StrCat("demo-category-", std::string(demo.key)));
    knowledge::Category category;
    grpc::Status status = WithRetries(admin, [&](grpc::ClientContext* ctx) {
      return stub->CreateCategory(ctx, create, &category);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    category_names[demo.key] = category.name();
    counts.Count(true);
  }
  for (const DemoProduct& demo : DemoProducts()) {
    const std::string sku(demo.sku);
    knowledge::ListProductsRequest find;
    find.set_filter("sku = " + FilterString(sku));
    knowledge::ListProductsResponse found;
    grpc::Status status = WithRetries(
        admin, [&](grpc::ClientContext* ctx) { return stub->ListProducts(ctx, find, &found); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    knowledge::Product product;
    if (found.products_size() > 0) {
      product = found.products(0);
      counts.Count(false);
    } else {
      knowledge::CreateProductRequest create;
      knowledge::Product* p = create.mutable_product();
      p->set_sku(sku);
      p->set_display_name(std::string(demo.name));
      p->set_category(category_names[demo.category]);
      p->set_unit(std::string(demo.unit));
      p->set_description(std::string(demo.description));
      for (std::string_view feature : demo.features) p->add_features(std::string(feature));
      create.set_request_id("demo-product-" + sku);
      status = WithRetries(admin, [&](grpc::ClientContext* ctx) {
        return stub->CreateProduct(ctx, create, &product);
      });
      if (!status.ok()) return crm::FromGrpcStatus(status);
      counts.Count(true);
    }
    products[sku] = product.name();

    // The prices it has: currency, minor units (every demo currency has two decimal places)
    // and effective time.
    std::set<std::tuple<std::string, int64_t, int64_t>> priced;
    CRM_RETURN_IF_ERROR(ForEachPage<knowledge::ListProductPricesResponse>(
        admin,
        [&](grpc::ClientContext* ctx, const std::string& token, auto* page) {
          knowledge::ListProductPricesRequest list;
          list.set_product(product.name());
          list.set_page_size(1000);
          list.set_page_token(token);
          return stub->ListProductPrices(ctx, list, page);
        },
        [&](const knowledge::ListProductPricesResponse& page) {
          for (const knowledge::ProductPrice& p : page.prices()) {
            priced.insert({p.price().currency_code(),
                           p.price().units() * 100 + p.price().nanos() / 10'000'000,
                           p.effective_time().seconds()});
          }
        }));
    for (size_t i = 0; i < demo.prices.size(); ++i) {
      const DemoPrice& price = demo.prices[i];
      const absl::Time effective = DemoEffectiveTime(price);
      if (priced.contains(
              {std::string(price.currency), price.minor_units, absl::ToUnixSeconds(effective)})) {
        counts.Count(false);
        continue;
      }
      knowledge::SetProductPriceRequest set;
      set.set_product(product.name());
      set.mutable_price()->mutable_price()->set_currency_code(std::string(price.currency));
      set.mutable_price()->mutable_price()->set_units(price.minor_units / 100);
      set.mutable_price()->mutable_price()->set_nanos(
          static_cast<int32_t>(price.minor_units % 100) * 10'000'000);
      set.mutable_price()->mutable_effective_time()->set_seconds(absl::ToUnixSeconds(effective));
      // The day is part of the id: a price of another day is another request.
      set.set_request_id(absl::StrCat("demo-price-", sku, "-", i, "-",
                                      absl::FormatTime("%Y%m%d", effective, absl::UTCTimeZone())));
      knowledge::ProductPrice added;
      status = WithRetries(
          admin, [&](grpc::ClientContext* ctx) { return stub->SetProductPrice(ctx, set, &added); });
      if (!status.ok()) return crm::FromGrpcStatus(status);
      counts.Count(true);
    }
  }
  return absl::OkStatus();
}

// The demo articles, each ensured by its author (found by title and author, created when
// missing) and published by its publisher while it is still a draft (demo users signed in as
// `as_user`, named `user_names`).
absl::Status LoadDemoArticles(const std::map<std::string, Client, std::less<>>& as_user,
                              const std::map<std::string, std::string, std::less<>>& user_names,
                              const std::map<std::string, std::string>& products,
                              DemoCounts& counts) {
  for (const DemoArticle& demo : DemoArticles()) {
    const Client& author = as_user.find(demo.author)->second;
    const Client& publisher = as_user.find(demo.publisher)->second;
    auto author_stub = knowledge::ArticleService::NewStub(author.channel());
    knowledge::ListArticlesRequest find;
    find.set_filter(absl::StrCat("title = ", FilterString(demo.title), " AND author = ",
                                 FilterString(user_names.find(demo.author)->second)));
    knowledge::ListArticlesResponse found;
    grpc::Status status = WithRetries(author, [&](grpc::ClientContext* ctx) {
      return author_stub->ListArticles(ctx, find, &found);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    knowledge::Article article;
    if (found.articles_size() > 0) {
      article = found.articles(0);
      counts.Count(false);
    } else {
      knowledge::CreateArticleRequest create;
      knowledge::Article* a = create.mutable_article();
      a->set_kind(static_cast<knowledge::ArticleKind>(demo.kind));
      a->set_title(std::string(demo.title));
      a->set_body(std::string(demo.body));
      for (std::string_view tag : demo.tags) a->add_tags(std::string(tag));
      for (std::string_view sku : demo.skus) a->add_products(products.at(std::string(sku)));
      create.set_request_id(absl::StrCat("demo-article-", std::string(demo.key)));
      status = WithRetries(author, [&](grpc::ClientContext* ctx) {
        return author_stub->CreateArticle(ctx, create, &article);
      });
      if (!status.ok()) return crm::FromGrpcStatus(status);
      counts.Count(true);
    }
    // Published once; an article someone archived since stays archived.
    if (article.state() != knowledge::DRAFT) continue;
    knowledge::PublishArticleRequest publish;
    publish.set_name(article.name());
    publish.set_request_id(absl::StrCat("demo-publish-", std::string(demo.key)));
    auto publisher_stub = knowledge::ArticleService::NewStub(publisher.channel());
    status = WithRetries(publisher, [&](grpc::ClientContext* ctx) {
      return publisher_stub->PublishArticle(ctx, publish, &article);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    counts.Count(true);
  }
  return absl::OkStatus();
}

// The demo customers, each ensured by its owner: looked up by display name and owner,
// created (with its fixed request id) only when missing.
absl::Status LoadDemoCustomers(const std::map<std::string, Client, std::less<>>& as_user,
                               const std::map<std::string, std::string, std::less<>>& user_names,
                               DemoCounts& counts, std::vector<std::string>& names) {
  const auto requests = DemoCustomerRequests();
  names.assign(requests.size(), "");
  int failed = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    const std::string_view owner_name = DemoOwnerOf(i);
    const Client& owner = as_user.find(owner_name)->second;
    auto stub = customers::CustomerService::NewStub(owner.channel());
    customers::ListCustomersRequest find;
    find.set_filter(
        absl::StrCat("display_name = ", FilterString(request.customer().display_name()),
                     " AND owner = ", FilterString(user_names.find(owner_name)->second)));
    customers::ListCustomersResponse found;
    grpc::Status status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->ListCustomers(ctx, find, &found); });
    customers::Customer response;
    const bool missing = status.ok() && found.customers_size() == 0;
    if (status.ok() && !missing) response = found.customers(0);
    if (missing) {
      status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
        return stub->CreateCustomer(ctx, request, &response);
      });
    }
    if (!status.ok()) {
      std::cerr << request.request_id() << " (" << request.customer().display_name() << "): ";
      PrintError(status);
      ++failed;
      continue;
    }
    counts.Count(missing);
    names[i] = response.name();
    std::cout << request.request_id() << "  " << response.name() << "  " << response.display_name()
              << "  owner " << owner_name << (missing ? "  created" : "") << "\n";
  }
  if (failed > 0) {
    return absl::AbortedError(absl::StrCat(failed, " of ", requests.size(), " customers failed"));
  }
  return absl::OkStatus();
}

// Whether `order` has exactly the lines of `create` (product and quantity, in order): how a
// demo order is recognised on a later run.
bool SameLines(const orders::Order& order, const orders::Order& create) {
  if (order.lines_size() != create.lines_size()) return false;
  for (int i = 0; i < order.lines_size(); ++i) {
    if (order.lines(i).product() != create.lines(i).product() ||
        order.lines(i).quantity() != create.lines(i).quantity()) {
      return false;
    }
  }
  return true;
}

// The demo approval rule (as the admin, found by its name) and the demo orders, each created
// by its customer's owner and taken to its step. An order is found by its customer and lines
// first, so a second run changes nothing, even once the idempotency keys have expired.
absl::Status LoadDemoOrders(const Client& admin,
                            const std::map<std::string, Client, std::less<>>& as_user,
                            const std::vector<std::string>& customer_names,
                            const std::map<std::string, std::string>& products,
                            DemoCounts& counts) {
  auto rules = orders::ApprovalRuleService::NewStub(admin.channel());
  orders::CreateApprovalRuleRequest rule_request;
  rule_request.mutable_rule()->set_display_name(
      absl::StrCat("折扣超过 ", std::string(kDemoDiscountLimit), "% 需经理审批"));
  rule_request.mutable_rule()->set_approver_role(authv1::SALES_MANAGER);
  rule_request.mutable_rule()->set_discount_percent_above(std::string(kDemoDiscountLimit));
  rule_request.set_request_id("demo-approval-rule");
  orders::ListApprovalRulesRequest list_rules;
  list_rules.set_page_size(1000);
  orders::ListApprovalRulesResponse existing_rules;
  grpc::Status status = WithRetries(admin, [&](grpc::ClientContext* ctx) {
    return rules->ListApprovalRules(ctx, list_rules, &existing_rules);
  });
  if (!status.ok()) return crm::FromGrpcStatus(status);
  const bool rule_missing =
      std::none_of(existing_rules.rules().begin(), existing_rules.rules().end(),
                   [&](const orders::ApprovalRule& r) {
                     return r.display_name() == rule_request.rule().display_name();
                   });
  if (rule_missing) {
    orders::ApprovalRule rule;
    status = WithRetries(admin, [&](grpc::ClientContext* ctx) {
      return rules->CreateApprovalRule(ctx, rule_request, &rule);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
  }
  counts.Count(rule_missing);

  for (const DemoOrder& demo : DemoOrders()) {
    const Client& seller = as_user.find(DemoOwnerOf(demo.customer_index))->second;
    auto stub = orders::OrderService::NewStub(seller.channel());
    const std::string key(demo.key);
    orders::CreateOrderRequest create;
    create.mutable_order()->set_customer(customer_names.at(demo.customer_index));
    create.mutable_order()->set_currency_code(std::string(demo.currency));
    for (const DemoOrderLine& line : demo.lines) {
      orders::OrderLine* added = create.mutable_order()->add_lines();
      added->set_product(products.at(std::string(line.sku)));
      added->set_quantity(line.quantity);
      added->set_discount_percent(std::string(line.discount_percent));
    }
    create.set_request_id("demo-order-" + key);
    orders::ListCustomerOrdersRequest find;
    find.set_customer(create.order().customer());
    find.set_page_size(100);
    orders::ListOrdersResponse found;
    status = WithRetries(seller, [&](grpc::ClientContext* ctx) {
      return stub->ListCustomerOrders(ctx, find, &found);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    auto existing =
        std::find_if(found.orders().begin(), found.orders().end(),
                     [&](const orders::Order& o) { return SameLines(o, create.order()); });
    counts.Count(existing == found.orders().end());
    if (existing != found.orders().end()) {
      std::cout << "order  " << existing->name() << "  "
                << orders::OrderStatus_Name(existing->status()) << "  "
                << DemoOwnerOf(demo.customer_index) << "  found\n";
      continue;
    }
    orders::Order order;
    status = WithRetries(
        seller, [&](grpc::ClientContext* ctx) { return stub->CreateOrder(ctx, create, &order); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    if (demo.step != DemoOrderStep::kDraft) {
      orders::SubmitOrderRequest submit;
      submit.set_name(order.name());
      submit.set_request_id("demo-submit-" + key);
      status = WithRetries(
          seller, [&](grpc::ClientContext* ctx) { return stub->SubmitOrder(ctx, submit, &order); });
      if (!status.ok()) return crm::FromGrpcStatus(status);
    }
    if (demo.step == DemoOrderStep::kConfirmed) {
      orders::ConfirmOrderRequest confirm;
      confirm.set_name(order.name());
      confirm.set_request_id("demo-confirm-" + key);
      status = WithRetries(seller, [&](grpc::ClientContext* ctx) {
        return stub->ConfirmOrder(ctx, confirm, &order);
      });
      if (!status.ok()) return crm::FromGrpcStatus(status);
    }
    std::cout << "order  " << order.name() << "  " << orders::OrderStatus_Name(order.status())
              << "  " << DemoOwnerOf(demo.customer_index) << "\n";
  }
  return absl::OkStatus();
}

// A demo money amount in `currency` (every demo currency has two decimal places).
crm::common::v1::Money DemoMoney(std::string_view currency, int64_t minor_units) {
  crm::common::v1::Money money;
  money.set_currency_code(std::string(currency));
  money.set_units(minor_units / 100);
  money.set_nanos(static_cast<int32_t>(minor_units % 100) * 10'000'000);
  return money;
}

google::type::Date DemoDate(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// The demo leads and opportunities, each made by its owner (demo users signed in as
// `as_user`) on the demo customers (`customers`, by index) and products (by SKU); fixed request
// ids make a second run change nothing.
absl::Status LoadDemoPipeline(const std::map<std::string, Client, std::less<>>& as_user,
                              const std::vector<std::string>& customers,
                              const std::map<std::string, std::string>& products,
                              DemoCounts& counts) {
  // The shipped default pipeline's stages by display name.
  const Client& manager = as_user.find("wang.fang")->second;
  auto pipelines = opportunities::PipelineService::NewStub(manager.channel());
  opportunities::ListPipelinesRequest list;
  opportunities::ListPipelinesResponse found;
  grpc::Status status = WithRetries(manager, [&](grpc::ClientContext* ctx) {
    return pipelines->ListPipelines(ctx, list, &found);
  });
  if (!status.ok()) return crm::FromGrpcStatus(status);
  std::map<std::string, std::string, std::less<>> stages;
  for (const auto& pipeline : found.pipelines()) {
    if (!pipeline.is_default()) continue;
    for (const auto& stage : pipeline.stages()) stages[stage.display_name()] = stage.name();
  }

  const absl::Time now = absl::Now();
  for (const DemoLead& demo : DemoLeads()) {
    const Client& owner = as_user.find(demo.owner)->second;
    auto stub = opportunities::LeadService::NewStub(owner.channel());
    opportunities::CreateLeadRequest create;
    opportunities::Lead* l = create.mutable_lead();
    l->set_company(std::string(demo.company));
    l->set_contact_name(std::string(demo.contact_name));
    l->add_phones(std::string(demo.phone));
    l->add_emails(std::string(demo.email));
    l->set_industry(std::string(demo.industry));
    l->set_country("CN");
    l->set_source(demo.source);
    l->set_campaign(std::string(demo.campaign));
    l->set_status(demo.status);
    create.set_request_id(absl::StrCat("demo-lead-", std::string(demo.key)));
    // Found by company and contact first: a later run, even after the idempotency keys
    // expired, creates and converts nothing twice.
    opportunities::ListLeadsRequest find;
    find.set_filter(absl::StrCat("company = ", FilterString(demo.company),
                                 " AND contact_name = ", FilterString(demo.contact_name)));
    opportunities::ListLeadsResponse existing;
    status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->ListLeads(ctx, find, &existing); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    counts.Count(existing.leads_size() == 0);
    if (existing.leads_size() > 0) continue;
    opportunities::Lead lead;
    status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->CreateLead(ctx, create, &lead); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    if (!demo.convert) continue;
    opportunities::ConvertLeadRequest convert;
    convert.set_name(lead.name());
    *convert.mutable_opportunity()->mutable_amount() = DemoMoney("CNY", demo.convert_amount);
    *convert.mutable_opportunity()->mutable_expected_close_date() =
        DemoDate(now + absl::Hours(24 * 40));
    convert.set_request_id(absl::StrCat("demo-convert-", std::string(demo.key)));
    opportunities::ConvertLeadResponse converted;
    status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
      return stub->ConvertLead(ctx, convert, &converted);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
  }

  for (const DemoOpportunity& demo : DemoOpportunities()) {
    const Client& owner = as_user.find(DemoOwnerOf(demo.customer))->second;
    auto stub = opportunities::OpportunityService::NewStub(owner.channel());
    const std::string key(demo.key);
    opportunities::CreateOpportunityRequest create;
    opportunities::Opportunity* o = create.mutable_opportunity();
    o->set_title(std::string(demo.title));
    o->set_customer(customers.at(demo.customer));
    *o->mutable_amount() = DemoMoney(demo.currency, demo.minor_units);
    *o->mutable_expected_close_date() = DemoDate(now + absl::Hours(24 * demo.close_in_days));
    o->set_source(demo.source);
    for (std::string_view sku : demo.skus) o->add_products(products.at(std::string(sku)));
    if (!demo.competitor.empty()) {
      opportunities::Competitor* c = o->add_competitors();
      c->set_name(std::string(demo.competitor));
      c->set_threat(opportunities::MEDIUM);
    }
    create.set_request_id("demo-opportunity-" + key);
    opportunities::ListOpportunitiesRequest find;
    find.set_filter(absl::StrCat("title = ", FilterString(demo.title),
                                 " AND customer = ", FilterString(o->customer())));
    opportunities::ListOpportunitiesResponse existing;
    status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
      return stub->ListOpportunities(ctx, find, &existing);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    counts.Count(existing.opportunities_size() == 0);
    if (existing.opportunities_size() > 0) continue;
    opportunities::Opportunity made;
    status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
      return stub->CreateOpportunity(ctx, create, &made);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    const auto stage = stages.find(demo.stage);
    if (stage == stages.end()) return absl::NotFoundError("stage " + std::string(demo.stage));
    if (made.stage() != stage->second) {
      opportunities::AdvanceStageRequest advance;
      advance.set_name(made.name());
      advance.set_stage(stage->second);
      advance.set_request_id("demo-advance-" + key);
      status = WithRetries(
          owner, [&](grpc::ClientContext* ctx) { return stub->AdvanceStage(ctx, advance, &made); });
      if (!status.ok()) return crm::FromGrpcStatus(status);
    }
    if (demo.outcome == DemoOutcome::kWon) {
      opportunities::CloseWonRequest won;
      won.set_name(made.name());
      won.set_request_id("demo-won-" + key);
      status = WithRetries(
          owner, [&](grpc::ClientContext* ctx) { return stub->CloseWon(ctx, won, &made); });
    } else if (demo.outcome == DemoOutcome::kLost) {
      opportunities::CloseLostRequest lost;
      lost.set_name(made.name());
      lost.set_reason(std::string(demo.loss_reason));
      lost.set_request_id("demo-lost-" + key);
      status = WithRetries(
          owner, [&](grpc::ClientContext* ctx) { return stub->CloseLost(ctx, lost, &made); });
    }
    if (!status.ok()) return crm::FromGrpcStatus(status);
  }
  return absl::OkStatus();
}

// A demo time (RFC 3339) as a Timestamp.
google::protobuf::Timestamp DemoTimestamp(std::string_view rfc3339) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(rfc3339), &t, &error)) {
    t = absl::UnixEpoch();  // the demo tables are fixed; demo_data_test parses every one
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// The demo follow-up records, each recorded by its customer's owner (found by customer, kind
// and time), and the demo tasks (found by title in the owner's own list).
absl::Status LoadDemoActivities(const std::map<std::string, Client, std::less<>>& as_user,
                                const std::vector<std::string>& customer_names,
                                DemoCounts& counts) {
  for (const DemoActivity& demo : DemoActivities()) {
    const Client& owner = as_user.find(DemoOwnerOf(demo.customer_index))->second;
    auto stub = activities::ActivityService::NewStub(owner.channel());
    activities::CreateActivityRequest create;
    activities::Activity& a = *create.mutable_activity();
    a.set_kind(demo.kind);
    a.set_direction(demo.direction);
    a.set_customer(customer_names.at(demo.customer_index));
    *a.mutable_activity_time() = DemoTimestamp(demo.time);
    a.set_duration_seconds(demo.duration_seconds);
    a.set_outcome(std::string(demo.outcome));
    a.set_summary(std::string(demo.summary));
    a.set_next_step(std::string(demo.next_step));
    create.set_request_id(absl::StrCat("demo-activity-", std::string(demo.key)));
    activities::ListActivitiesRequest find;
    find.set_filter(absl::StrCat("customer = ", FilterString(a.customer()),
                                 " AND kind = ", activities::ActivityKind_Name(demo.kind),
                                 " AND activity_time = ", std::string(demo.time)));
    activities::ListActivitiesResponse found;
    grpc::Status status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->ListActivities(ctx, find, &found); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    const bool missing = found.activities().empty();
    counts.Count(missing);
    activities::Activity recorded = missing ? activities::Activity() : found.activities(0);
    if (missing) {
      status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
        return stub->CreateActivity(ctx, create, &recorded);
      });
      if (!status.ok()) return crm::FromGrpcStatus(status);
    }
    std::cout << "activity  " << recorded.name() << "  "
              << activities::ActivityKind_Name(recorded.kind()) << "  " << recorded.customer()
              << (missing ? "" : "  found") << "\n";
  }
  for (const DemoTask& demo : DemoTasks()) {
    const Client& owner = as_user.find(DemoOwnerOf(demo.customer_index))->second;
    auto stub = activities::TaskService::NewStub(owner.channel());
    activities::ListMyTasksRequest find;
    find.set_page_size(100);
    activities::ListMyTasksResponse found;
    grpc::Status status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->ListMyTasks(ctx, find, &found); });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    auto existing =
        std::find_if(found.tasks().begin(), found.tasks().end(),
                     [&](const activities::Task& t) { return t.title() == demo.title; });
    const bool missing = existing == found.tasks().end();
    counts.Count(missing);
    activities::Task task = missing ? activities::Task() : *existing;
    if (missing) {
      activities::CreateTaskRequest create;
      create.mutable_task()->set_title(std::string(demo.title));
      create.mutable_task()->set_customer(customer_names.at(demo.customer_index));
      *create.mutable_task()->mutable_due_time() = DemoTimestamp(demo.due_time);
      create.mutable_task()->set_priority(demo.priority);
      create.set_request_id(absl::StrCat("demo-task-", std::string(demo.key)));
      status = WithRetries(
          owner, [&](grpc::ClientContext* ctx) { return stub->CreateTask(ctx, create, &task); });
      if (!status.ok()) return crm::FromGrpcStatus(status);
    }
    std::cout << "task  " << task.name() << "  " << task.title() << "  " << task.assignee()
              << (missing ? "" : "  found") << "\n";
  }
  return absl::OkStatus();
}

// The demo campaign: marketing's spring exhibition, with the two reps taking part, running;
// the demo leads from it carry its code ("2026-spring-expo"), so its effectiveness counts them.
// Found again by its code.
absl::Status LoadDemoCampaign(const std::map<std::string, Client, std::less<>>& as_user,
                              const std::map<std::string, std::string, std::less<>>& user_names,
                              DemoCounts& counts) {
  const Client& marketing = as_user.find("zhou.jie")->second;
  auto stub = activities::CampaignService::NewStub(marketing.channel());
  activities::ListCampaignsRequest find;
  find.set_filter("code = \"2026-spring-expo\"");
  activities::ListCampaignsResponse found;
  grpc::Status status = WithRetries(
      marketing, [&](grpc::ClientContext* ctx) { return stub->ListCampaigns(ctx, find, &found); });
  if (!status.ok()) return crm::FromGrpcStatus(status);
  const bool missing = found.campaigns().empty();
  counts.Count(missing);
  activities::Campaign campaign = missing ? activities::Campaign() : found.campaigns(0);
  if (missing) {
    activities::CreateCampaignRequest create;
    activities::Campaign& c = *create.mutable_campaign();
    c.set_code("2026-spring-expo");
    c.set_title("2026 春季工业自动化展");
    c.set_type(activities::Campaign::EXHIBITION);
    c.set_goal("展会现场收集有效线索 30 条，转化商机 5 个");
    *c.mutable_start_time() = DemoTimestamp("2026-04-08T01:00:00Z");
    *c.mutable_end_time() = DemoTimestamp("2026-04-10T09:00:00Z");
    c.set_place("上海国家会展中心 5.1 馆");
    for (const char* rep : {"li.lei", "han.meimei"})
      c.add_participants(user_names.find(rep)->second);
    c.mutable_budget()->set_currency_code("CNY");
    c.mutable_budget()->set_units(80000);
    c.mutable_expected()->set_leads(30);
    c.mutable_expected()->set_opportunities(5);
    c.mutable_expected()->mutable_revenue()->set_currency_code("CNY");
    c.mutable_expected()->mutable_revenue()->set_units(600000);
    create.set_request_id("demo-campaign-2026-spring-expo");
    status = WithRetries(marketing, [&](grpc::ClientContext* ctx) {
      return stub->CreateCampaign(ctx, create, &campaign);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
    activities::CampaignStepRequest start;
    start.set_name(campaign.name());
    start.set_request_id("demo-campaign-2026-spring-expo-start");
    status = WithRetries(marketing, [&](grpc::ClientContext* ctx) {
      return stub->StartCampaign(ctx, start, &campaign);
    });
    if (!status.ok()) return crm::FromGrpcStatus(status);
  }
  std::cout << "campaign  " << campaign.name() << "  " << campaign.code() << "  "
            << activities::Campaign::State_Name(campaign.state()) << (missing ? "" : "  found")
            << "\n";
  return absl::OkStatus();
}

int DemoLoad(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  if (line.positional().size() != 1) return UsageError("demo-load takes no arguments");
  const std::string admin_password = EnvOr("CRM_ADMIN_PASSWORD", "");
  const std::string demo_password = EnvOr("CRM_DEMO_PASSWORD", "");
  if (admin_password.empty() || demo_password.empty()) {
    return UsageError("demo-load needs $CRM_ADMIN_PASSWORD and $CRM_DEMO_PASSWORD");
  }
  auto admin_login = LoginAs(client, "admin", admin_password);
  if (!admin_login.ok()) return kExitFailed;
  const Client admin = client.WithToken(admin_login->access_token());

  auto team = EnsureDemoTeam(admin);
  if (!team.ok()) {
    std::cerr << "demo-load: team: " << team.status().message() << "\n";
    return kExitFailed;
  }
  std::map<std::string, Client, std::less<>> as_user;
  std::map<std::string, std::string, std::less<>> user_names;  // username -> "users/{id}"
  for (const DemoUser& demo : DemoUsers()) {
    auto user = EnsureDemoUser(admin, demo, *team, demo_password);
    if (!user.ok()) {
      std::cerr << "demo-load: user " << demo.username << ": " << user.status().message() << "\n";
      return kExitFailed;
    }
    if (demo.role == authv1::SALES_MANAGER && team->manager() != user->name()) {
      auto stub = authv1::AuthService::NewStub(admin.channel());
      authv1::UpdateTeamRequest update;
      update.mutable_team()->set_name(team->name());
      update.mutable_team()->set_manager(user->name());
      update.mutable_update_mask()->add_paths("manager");
      update.set_request_id("demo-team-manager");
      authv1::Team updated;
      grpc::Status status = WithRetries(
          admin, [&](grpc::ClientContext* ctx) { return stub->UpdateTeam(ctx, update, &updated); });
      if (!status.ok()) {
        PrintError(status);
        return kExitFailed;
      }
      *team = updated;
    }
    // Signed in after the team has its manager, so the token carries the managed team.
    auto login = LoginAs(client, demo.username, demo_password);
    if (!login.ok()) return kExitFailed;
    as_user.emplace(std::string(demo.username), client.WithToken(login->access_token()));
    user_names.emplace(std::string(demo.username), user->name());
    std::cout << "user  " << user->name() << "  " << demo.username << "  "
              << authv1::Role_Name(demo.role) << "\n";
  }

  DemoCounts counts;
  std::vector<std::string> customer_names;
  if (absl::Status loaded = LoadDemoCustomers(as_user, user_names, counts, customer_names);
      !loaded.ok()) {
    std::cerr << "demo-load: " << loaded.message() << "\n";
    return kExitFailed;
  }
  // The people at some of the companies, added by the company's owner; found by company and
  // name first, so a later run adds no one twice.
  for (DemoContact& demo : DemoContactRequests()) {
    const Client& owner = as_user.find(DemoOwnerOf(demo.customer_index))->second;
    auto stub = customers::ContactService::NewStub(owner.channel());
    demo.request.set_parent(customer_names[demo.customer_index]);
    customers::ListContactsRequest find;
    find.set_parent(demo.request.parent());
    find.set_page_size(1000);
    customers::ListContactsResponse found;
    grpc::Status status = WithRetries(
        owner, [&](grpc::ClientContext* ctx) { return stub->ListContacts(ctx, find, &found); });
    customers::Contact response;
    bool missing = true;
    for (const customers::Contact& contact : found.contacts()) {
      if (contact.display_name() == demo.request.contact().display_name()) {
        response = contact;
        missing = false;
      }
    }
    if (status.ok() && missing) {
      status = WithRetries(owner, [&](grpc::ClientContext* ctx) {
        return stub->CreateContact(ctx, demo.request, &response);
      });
    }
    if (status.ok()) counts.Count(missing);
    if (!status.ok()) {
      std::cerr << demo.request.request_id() << " (" << demo.request.contact().display_name()
                << "): ";
      PrintError(status);
      return kExitFailed;
    }
    std::cout << demo.request.request_id() << "  " << response.name() << "  "
              << response.display_name() << "\n";
  }
  std::map<std::string, std::string> products;
  if (absl::Status catalog = LoadDemoCatalog(admin, products, counts); !catalog.ok()) {
    std::cerr << "demo-load: catalog: " << catalog << "\n";
    return kExitFailed;
  }
  if (absl::Status articles = LoadDemoArticles(as_user, user_names, products, counts);
      !articles.ok()) {
    std::cerr << "demo-load: articles: " << articles << "\n";
    return kExitFailed;
  }
  if (absl::Status pipeline = LoadDemoPipeline(as_user, customer_names, products, counts);
      !pipeline.ok()) {
    std::cerr << "demo-load: leads and opportunities: " << pipeline << "\n";
    return kExitFailed;
  }
  if (absl::Status demo_orders = LoadDemoOrders(admin, as_user, customer_names, products, counts);
      !demo_orders.ok()) {
    std::cerr << "demo-load: orders: " << demo_orders << "\n";
    return kExitFailed;
  }
  if (absl::Status demo_activities = LoadDemoActivities(as_user, customer_names, counts);
      !demo_activities.ok()) {
    std::cerr << "demo-load: activities and tasks: " << demo_activities << "\n";
    return kExitFailed;
  }
  if (absl::Status campaign = LoadDemoCampaign(as_user, user_names, counts); !campaign.ok()) {
    std::cerr << "demo-load: campaign: " << campaign << "\n";
    return kExitFailed;
  }
  std::cout << "demo-load: team " << kDemoTeam << ", " << DemoUsers().size() << " users, "
            << DemoCustomerRequests().size() << " customers, " << DemoCategories().size()
            << " categories, " << DemoProducts().size() << " products, " << DemoArticles().size()
            << " articles, " << DemoLeads().size() << " leads, " << DemoOpportunities().size()
            << " opportunities, " << DemoOrders().size() << " orders, " << DemoActivities().size()
            << " activities, " << DemoTasks().size()
            << " tasks and 1 campaign present: " << counts.created << " created or published now, "
            << counts.found << " found as they were\n";
  return kExitOk;
}

// `report export` and `report chart`: an analytics report as a CSV or an SVG file on stdout.
int Report(const Client& client, const CommandLine& line) {
  if (auto st = line.CheckOnly({}); !st.ok()) return UsageError(st);
  const size_t words = line.positional().size();
  if (words < 2 || words > 3) return UsageError("report takes export or chart, and JSON");
  std::string json = words == 3 ? line.positional()[2] : "";
  if (json.empty() && !isatty(0)) {
    json.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  auto parse = [&](google::protobuf::Message& request) {
    auto st = google::protobuf::util::JsonStringToMessage(json, &request);
    return st.ok() ? absl::OkStatus()
                   : absl::InvalidArgumentError(
                         absl::StrCat("the request is not a ", request.GetDescriptor()->full_name(),
                                      " in JSON: ", st.message().as_string()));
  };
  auto stub = analytics::ReportOutputService::NewStub(client.channel());
  grpc::ClientContext ctx;
  const std::string& what = line.positional()[1];
  if (what == "export") {
    analytics::ExportReportRequest request;
    if (absl::Status st = parse(request); !st.ok()) return UsageError(st);
    client.Prepare(ctx, kBulkDeadline);
    auto reader = stub->ExportReport(&ctx, request);
    analytics::ExportReportResponse piece;
    while (reader->Read(&piece)) std::cout << piece.csv();
    grpc::Status status = reader->Finish();
    if (status.ok()) return kExitOk;
    PrintError(status);
    return kExitFailed;
  }
  if (what == "chart") {
    analytics::RenderChartRequest request;
    if (absl::Status st = parse(request); !st.ok()) return UsageError(st);
    client.Prepare(ctx, kCallDeadline);
    analytics::Chart chart;
    grpc::Status status = stub->RenderChart(&ctx, request, &chart);
    if (status.ok()) {
      std::cout << chart.svg();
      return kExitOk;
    }
    PrintError(status);
    return kExitFailed;
  }
  return UsageError(absl::StrCat("report takes export or chart, not \"", what, "\""));
}

int Run(int argc, char** argv) {
  absl::StatusOr<CommandLine> line = CommandLine::Parse(argc, argv);
  if (!line.ok()) return UsageError(line.status());
  if (line->Has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (line->positional().empty()) return UsageError("no command given");
  std::string default_target =
      EnvOr("CRM_TARGET", absl::StrCat("127.0.0.1:", EnvOr("CRM_GATEWAY_PORT", "50051")));
  Client client(line->Get("target", default_target), line->Get("token", EnvOr("CRM_TOKEN", "")));
  const std::string& command = line->positional()[0];
  if (command == "health") return Health(client, *line);
  if (command == "customers") return Customers(client, *line);
  if (command == "demo-load") return DemoLoad(client, *line);
  if (command == "login") return Login(client, *line);
  if (command == "whoami") return WhoAmI(client, *line);
  if (command == "users") return Users(client, *line);
  if (command == "teams") return Teams(client, *line);
  if (command == "call") return CallMethod(client, *line);
  if (command == "report") return Report(client, *line);
  return UsageError(absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace
}  // namespace crm::crmctl

int main(int argc, char** argv) { return crm::crmctl::Run(argc, argv); }
