// Test helpers for servers built on libs/grpc: read a server's Prometheus /metrics (or an
// in-process registry), and call any method path (including ones no proto declares) as a
// unary call.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/labels.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::testing {

// The body of http://127.0.0.1:<port>/metrics (Prometheus text format); an error when
// nothing answers or the answer is not 200 OK.
absl::StatusOr<std::string> ScrapeMetrics(int port);

// The body of http://127.0.0.1:<port><path> when the answer is 200 OK (HTTP/1.0 GET).
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

// The sample lines of a text exposition: one per series (a histogram gives one per bucket
// plus _sum and _count); comments and blank lines left out.
std::vector<std::string> SeriesLines(std::string_view exposition);

// The sample lines that start with `name` followed by "{" or " " (an exact metric name).
std::vector<std::string> SeriesOf(std::string_view exposition, std::string_view name);

// The value of the counter or gauge `name` in `registry` whose labels include `labels`
// (the first such series); -1 when there is none.
double MetricValue(const prometheus::Registry& registry, std::string_view name,
                   const prometheus::Labels& labels = {});

// A unary call of `method` ("/pkg.Service/Method") with an empty request message, with
// "authorization: Bearer <token>" unless `token` is empty, and a 10 s deadline.
grpc::Status CallMethod(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                        const std::string& token = "");

}  // namespace crm::testing
