#include "tools/loadgen/import_calls.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/grpc/status.h"
#include "tools/loadgen/customer_calls.h"

namespace crm::loadgen {
namespace {

namespace v1 = customers::v1;

void Prepare(grpc::ClientContext& context, const std::string& token, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  context.AddMetadata("authorization", "Bearer " + token);
}

std::unique_ptr<v1::CustomerBulkService::Stub> Stub(const std::string& target) {
  return v1::CustomerBulkService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

}  // namespace

v1::Customer SampleImportCustomer(const std::string& prefix, int64_t sequence) {
  v1::Customer customer = SampleCustomer(prefix, sequence);
  customer.set_display_name(absl::StrCat("导入压测 ", prefix, " ", sequence, " 有限公司"));
  customer.set_external_id(absl::StrCat(prefix, "-", sequence));
  customer.clear_emails();
  customer.add_emails(absl::StrCat("import", sequence, "@", prefix, ".example.com"));
  // Mobile numbers (+86 139...) that the create scenarios' +86 571 numbers never match.
  customer.clear_phones();
  customer.add_phones(absl::StrCat("+86139", 10000000 + sequence % 90000000));
  customer.set_source("import");
  customer.set_notes("Imported by crm-loadgen to measure ImportCustomers.");
  return customer;
}

ImportRun ImportThroughGrpc(const std::string& target, const std::string& token,
                            const std::string& prefix, int64_t rows, int chunk,
                            absl::Duration timeout) {
  ImportRun run;
  auto stub = Stub(target);
  grpc::ClientContext context;
  Prepare(context, token, timeout);
  const auto start = std::chrono::steady_clock::now();
  auto stream = stub->ImportCustomers(&context);

  // Writing and reading run at once: the server answers each chunk as it goes, and flow
  // control would stall a client that wrote everything before reading anything.
  std::thread writer([&] {
    v1::ImportCustomersRequest first;
    first.mutable_options()->set_label(absl::StrCat("crm-loadgen ", prefix));
    if (!stream->Write(first)) return;
    for (int64_t next = 1; next <= rows;) {
      v1::ImportCustomersRequest request;
      v1::ImportRows& batch = *request.mutable_rows();
      for (int i = 0; i < chunk && next <= rows; ++i, ++next) {
        v1::ImportRow& row = *batch.add_rows();
        row.set_row_number(next);
        *row.mutable_customer() = SampleImportCustomer(prefix, next);
      }
      if (!stream->Write(request)) return;
    }
    stream->WritesDone();
  });

  v1::ImportCustomersResponse response;
  while (stream->Read(&response)) {
    if (response.has_batch()) {
      run.batch = response.batch().name();
      run.importer = response.batch().importer();
    }
    for (const v1::ImportRowResult& result : response.results().results()) {
      ++run.rows;
      if (result.outcome() == v1::ImportRowResult::CREATED) ++run.created;
      if (result.outcome() == v1::ImportRowResult::FAILED) {
        if (run.failed++ == 0) run.first_failure = absl::StrCat(result.reason(), ": ", result.message());
      }
    }
  }
  writer.join();
  run.status = FromGrpcStatus(stream->Finish());
  run.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (run.seconds > 0) run.rows_per_second = static_cast<double>(run.created) / run.seconds;
  return run;
}

absl::Status RollbackImport(const std::string& target, const std::string& token,
                            const std::string& batch, absl::Duration timeout) {
  auto stub = Stub(target);
  grpc::ClientContext context;
  Prepare(context, token, timeout);
  v1::RollbackImportRequest request;
  request.set_name(batch);
  v1::ImportBatch response;
  return FromGrpcStatus(stub->RollbackImport(&context, request, &response));
}

}  // namespace crm::loadgen
