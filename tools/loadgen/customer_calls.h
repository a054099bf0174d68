// The CustomerService calls crm-loadgen makes, as asynchronous operations for RunAsyncLoad.
// Calls go through the gRPC callback API: a call in flight holds no thread.
#pragma once

#include <grpcpp/channel.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "tools/loadgen/driver.h"

namespace crm::loadgen {

// The customer every create sends, shaped like a typical company record (two tags, one
// e-mail, one phone, a short note). `scenario` (the run's and the scenario's request id
// prefix) and `sequence` make its name and e-mail unique and its phone nearly so: as with
// real new customers, the duplicate check finds nothing, and a create does not get dearer
// with every customer earlier runs left behind. The phone is already in E.164 form, so the
// service stores it as sent and the raw SQL ceiling writes the same bytes.
customers::v1::Customer SampleCustomer(const std::string& scenario, int64_t sequence);

// Resource names of created customers, appended from completion threads.
class CreatedNames final {
 public:
  void Add(std::string name) ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> Take() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
};

// A well-mixed 64-bit value from `x` (splitmix64): picks "random" customers from a call's
// sequence number without a shared random generator between completion threads.
uint64_t Mix(uint64_t x);

class CustomerCalls final {
 public:
  // `target` is a plaintext gRPC address ("127.0.0.1:50051"). Every call gets
  // `call_timeout` as its deadline, so a stuck server cannot hang the run, and the access
  // token as "authorization: Bearer" metadata.
  CustomerCalls(const std::string& target, absl::Duration call_timeout, std::string token);

  // GetCustomer of a customer picked by Mix(sequence) from `names` (which must outlive
  // the operation and not be empty).
  AsyncOperation Get(const std::vector<std::string>& names);

  // ListCustomers with `request` (the same page every time).
  AsyncOperation List(customers::v1::ListCustomersRequest request);

  // CreateCustomer of SampleCustomer(request_id_prefix, sequence) with request_id
  // `request_id_prefix` + sequence. When `created` is not null, each new customer's name is added
  // to it.
  AsyncOperation Create(std::string request_id_prefix, CreatedNames* created);

  // One blocking GetCustomer of `name`: OK when the target answers it.
  absl::Status Probe(const std::string& name);

 private:
  // Sets the deadline and the credentials of one call.
  void Prepare(grpc::ClientContext& context) const;

  const absl::Duration call_timeout_;
  const std::string authorization_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
};

}  // namespace crm::loadgen
