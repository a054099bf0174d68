// A real Prometheus (Debian's) scraping the suite's real processes with the suite's alert
// rules: every target is up, every metric family the dashboards and the suite's alert rules
// read is exported (tools/ops-check metrics lists them; those a running stack exports only in
// some situations must at least be registered by the code), and every rule evaluates without
// error. The rule file is deploy/prometheus/alerts.yml itself; the scrape config is the local
// one's shape (deploy/prometheus/prometheus.yml: labels namespace and service) with the Stack's
// ports.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/grpc/testing.h"
#include "tests/support/process.h"
#include "tests/support/stack.h"

namespace crm {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using testing::Stack;

// How long Prometheus gets to scrape and evaluate: it scrapes and evaluates every second here,
// so this is only an upper bound for a loaded machine.
constexpr absl::Duration kPatience = absl::Seconds(60);

// `value`'s field `key` as a list, or an empty one (an answer not there yet, or unexpected).
const google::protobuf::RepeatedPtrField<Value>& List(const Value& value, const char* key) {
  static const auto* const empty = new google::protobuf::RepeatedPtrField<Value>();
  const auto& fields = value.struct_value().fields();
  auto it = fields.find(key);
  return it == fields.end() ? *empty : it->second.list_value().values();
}

// `value`'s string field `key`, or "".
std::string Field(const Value& value, const char* key) {
  const auto& fields = value.struct_value().fields();
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second.string_value();
}

std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  return out;
}

class PrometheusE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);

    std::ostringstream config;
    config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
           << "rule_files: [\"" << CRM_SOURCE_DIR << "/deploy/prometheus/alerts.yml\"]\n"
           << "scrape_configs:\n  - job_name: crm\n    static_configs:\n";
    std::vector<std::string> servers = stack_->services();
    servers.push_back("gateway");
    for (const std::string& name : servers) {
      config << "      - targets: [\"127.0.0.1:" << stack_->process(name).metrics_port
             << "\"]\n        labels: {namespace: crm, service: " << name << "}\n";
    }
    const std::string config_path = dir_.path() + "/prometheus.yml";
    std::ofstream(config_path) << config.str();
    servers_ = servers.size();

    // Prometheus cannot be told to pick a port and report it.
    port_ = testing::FreePort();
    auto prometheus = testing::ChildProcess::Start(
        "/usr/bin/prometheus",
        {"--config.file=" + config_path, "--storage.tsdb.path=" + dir_.path() + "/data",
         absl::StrCat("--web.listen-address=127.0.0.1:", port_), "--log.level=warn"},
        dir_.path() + "/prometheus.log");
    ASSERT_TRUE(prometheus.ok()) << prometheus.status();
    prometheus_ = std::move(*prometheus);
  }

  // The "data" of a Prometheus API answer; an empty Struct (and a failure) otherwise.
  Value Api(const std::string& path) {
    absl::StatusOr<std::string> body = testing::HttpGet(port_, path);
    Struct answer;
    if (!body.ok() || !google::protobuf::util::JsonStringToMessage(*body, &answer).ok()) {
      return Value();
    }
    auto data = answer.fields().find("data");
    return data == answer.fields().end() ? Value() : data->second;
  }

  // Polls `done` until it holds or kPatience has passed; its last result.
  template <typename Done>
  bool Eventually(Done done) {
    const absl::Time deadline = absl::Now() + kPatience;
    while (!done()) {
      if (absl::Now() > deadline || !prometheus_->Running()) return false;
      absl::SleepFor(absl::Milliseconds(250));
    }
    return true;
  }

  std::string Log() { return prometheus_->LogTail(); }

  testing::TempDir dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::ChildProcess> prometheus_;
  int port_ = 0;
  size_t servers_ = 0;
};

TEST_F(PrometheusE2eTest, ScrapesEveryServerAndEvaluatesEveryRule) {
  // Every target is up.
  std::vector<std::string> health;
  ASSERT_TRUE(Eventually([&] {
    health.clear();
    const Value targets = Api("/api/v1/targets");
    for (const Value& target : List(targets, "activeTargets")) {
      auto labels = target.struct_value().fields().find("labels");
      if (labels == target.struct_value().fields().end()) continue;
      health.push_back(Field(labels->second, "service") + "=" + Field(target, "health"));
    }
    return health.size() == servers_ &&
           std::all_of(health.begin(), health.end(),
                       [](const std::string& h) { return absl::EndsWith(h, "=up"); });
  })) << absl::StrJoin(health, ", ") << "\n" << Log();

  // Traffic that makes the families exist that are created on first use: a sign-in and a
  // list through the gateway (backend calls), and a call without a token (a refusal).
  auto admin = stack_->LoginAdmin();
  ASSERT_TRUE(admin.ok()) << admin.status();
  auto customers = customers::v1::CustomerService::NewStub(stack_->gateway());
  customers::v1::ListCustomersRequest list;
  customers::v1::ListCustomersResponse listed;
  ASSERT_TRUE(customers->ListCustomers(admin->Context().get(), list, &listed).ok());
  EXPECT_FALSE(
      customers->ListCustomers(testing::ContextWithToken("").get(), list, &listed).ok());

  // Every family the dashboards and the suite's rules read.
  std::set<std::string> required;
  std::map<std::string, std::string> optional;
  const std::string listing =
      Output(absl::StrCat("python3 ", CRM_SOURCE_DIR, "/tools/ops-check metrics"));
  for (absl::string_view line : absl::StrSplit(listing, '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(" optional: ", 1));
    if (parts.size() == 2) {
      optional[parts[0]] = parts[1];
    } else {
      required.insert(parts[0]);
    }
  }
  ASSERT_GT(required.size(), 10u) << listing;
  std::set<std::string> missing;
  const bool all_there = Eventually([&] {
    std::set<std::string> names;
    const Value values = Api("/api/v1/label/__name__/values");
    for (const Value& name : values.list_value().values()) {
      std::string family = name.string_value();
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (absl::EndsWith(family, suffix) &&
            required.count(family.substr(0, family.size() - strlen(suffix)))) {
          family = family.substr(0, family.size() - strlen(suffix));
        }
      }
      names.insert(family);
    }
    missing.clear();
    for (const std::string& family : required) {
      if (!names.count(family)) missing.insert(family);
    }
    return missing.empty();
  });
  EXPECT_TRUE(all_there) << "not exported by the running stack: " << absl::StrJoin(missing, ", ");
  // The others must at least be names the code registers.
  std::string sources;
  for (const char* dir : {"libs", "services"}) {
    sources += Output(absl::StrCat("grep -rhoE 'crm_[a-z_]+' ", CRM_SOURCE_DIR, "/", dir,
                                " --include=*.cc"));
  }
  for (const auto& [family, why] : optional) {
    EXPECT_TRUE(absl::StrContains(sources, family)) << family << " (" << why << ")";
  }

  // Every rule has been evaluated, without an error.
  std::vector<std::string> problems;
  ASSERT_TRUE(Eventually([&] {
    problems.clear();
    int rules = 0;
    const Value answer = Api("/api/v1/rules");
    for (const Value& group : List(answer, "groups")) {
      for (const Value& rule : List(group, "rules")) {
        ++rules;
        if (Field(rule, "health") != "ok") {
          problems.push_back(Field(rule, "name") + ": " + Field(rule, "health") + " " +
                             Field(rule, "lastError"));
        }
      }
    }
    return rules > 0 && problems.empty();
  })) << absl::StrJoin(problems, "\n") << "\n" << Log();
}

}  // namespace
}  // namespace crm
