#include "tools/loadgen/customer_calls.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace crm::loadgen {
namespace {

namespace v1 = customers::v1;

absl::Status ToAbsl(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::string_view(status.error_message()));
}

// One call in flight: gRPC needs the context, request and response to live until the
// completion callback runs, which then deletes them.
template <typename Request, typename Response = v1::Customer>
struct PendingCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  std::function<void(const absl::Status&)> done;
};

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
}

}  // namespace

v1::Customer SampleCustomer(const std::string& scenario, int64_t sequence) {
  v1::Customer customer;
  customer.set_display_name(absl::StrCat("压测客户 Loadgen Co. ", scenario, sequence));
  customer.set_kind(v1::COMPANY);
  customer.set_industry("制造业");
  customer.set_size_band(v1::MEDIUM);
  customer.mutable_region()->set_country("CN");
  customer.mutable_region()->set_province("浙江");
  customer.mutable_region()->set_city("杭州");
  customer.set_address("浙江省杭州市西湖区文三路 90 号");
  customer.add_tags("loadgen");
  customer.add_tags("vip");
  customer.add_emails(absl::StrCat(scenario, sequence, "@example.com"));
  // One of ten million Hangzhou numbers, picked by the scenario and the sequence: a run's
  // 20,000 creates share a number with an earlier customer a few dozen times.
  const uint64_t pick = Mix(std::hash<std::string>{}(scenario) + static_cast<uint64_t>(sequence));
  customer.add_phones(absl::StrCat("+86571", 80000000 + pick % 10000000));
  customer.set_source("loadgen");
  customer.set_notes("Created by crm-loadgen to measure CreateCustomer.");
  return customer;
}

void CreatedNames::Add(std::string name) {
  absl::MutexLock lock(&mu_);
  names_.push_back(std::move(name));
}

std::vector<std::string> CreatedNames::Take() {
  absl::MutexLock lock(&mu_);
  return std::move(names_);
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

CustomerCalls::CustomerCalls(const std::string& target, absl::Duration call_timeout,
                             std::string token)
    : call_timeout_(call_timeout), authorization_("Bearer " + std::move(token)) {
  grpc::ChannelArguments args;
  // The gateway and direct channels must not share a connection pool: each scenario
  // measures its own HTTP/2 connection, opened during its warm-up.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  stub_ = v1::CustomerService::NewStub(channel_);
}

void CustomerCalls::Prepare(grpc::ClientContext& context) const {
  SetDeadline(context, call_timeout_);
  context.AddMetadata("authorization", authorization_);
}

AsyncOperation CustomerCalls::Get(const std::vector<std::string>& names) {
  return [this, &names](int64_t sequence, std::function<void(const absl::Status&)> done) {
    auto* call = new PendingCall<v1::GetCustomerRequest>;
    call->done = std::move(done);
    call->request.set_name(names[Mix(static_cast<uint64_t>(sequence)) % names.size()]);
    Prepare(call->context);
    stub_->async()->GetCustomer(&call->context, &call->request, &call->response,
                                [call](grpc::Status status) {
                                  call->done(ToAbsl(status));
                                  delete call;
                                });
  };
}

AsyncOperation CustomerCalls::List(v1::ListCustomersRequest request) {
  return [this, request = std::move(request)](int64_t,
                                               std::function<void(const absl::Status&)> done) {
    auto* call = new PendingCall<v1::ListCustomersRequest, v1::ListCustomersResponse>;
    call->done = std::move(done);
    call->request = request;
    Prepare(call->context);
    stub_->async()->ListCustomers(&call->context, &call->request, &call->response,
                                  [call](grpc::Status status) {
                                    call->done(ToAbsl(status));
                                    delete call;
                                  });
  };
}

AsyncOperation CustomerCalls::Create(std::string request_id_prefix, CreatedNames* created) {
  return [this, prefix = std::move(request_id_prefix), created](
             int64_t sequence, std::function<void(const absl::Status&)> done) {
    auto* call = new PendingCall<v1::CreateCustomerRequest>;
    call->done = std::move(done);
    *call->request.mutable_customer() = SampleCustomer(prefix, sequence);
    call->request.set_request_id(absl::StrCat(prefix, sequence));
    // Runs reuse sequences against the same schema: the duplicate check still runs, but a
    // customer of an earlier run does not refuse this one.
    call->request.set_allow_duplicate(true);
    Prepare(call->context);
    stub_->async()->CreateCustomer(&call->context, &call->request, &call->response,
                                   [call, created](grpc::Status status) {
                                     if (status.ok() && created != nullptr) {
                                       created->Add(call->response.name());
                                     }
                                     call->done(ToAbsl(status));
                                     delete call;
                                   });
  };
}

absl::Status CustomerCalls::Probe(const std::string& name) {
  grpc::ClientContext context;
  Prepare(context);
  v1::GetCustomerRequest request;
  request.set_name(name);
  v1::Customer response;
  return ToAbsl(stub_->GetCustomer(&context, request, &response));
}

}  // namespace crm::loadgen
