// crm.customers.v1.CustomerBulkService: streaming import (import_store.h) and export, and the
// import batches. The streams run as blocking handlers on the executor (libs/service/stream.h).
#pragma once

#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "libs/service/stream.h"
#include "services/customers/stores.h"

namespace crm::customers {

class CustomerBulkService final : public v1::CustomerBulkService::CallbackService {
 public:
  static constexpr char kImportMethod[] = "/crm.customers.v1.CustomerBulkService/ImportCustomers";
  static constexpr char kGetBatchMethod[] = "/crm.customers.v1.CustomerBulkService/GetImportBatch";
  static constexpr char kRollbackMethod[] =
      "/crm.customers.v1.CustomerBulkService/RollbackImport";
  static constexpr char kExportMethod[] = "/crm.customers.v1.CustomerBulkService/ExportCustomers";

  // Rows imported per transaction, and customers exported per message.
  static constexpr int kChunk = 500;

  CustomerBulkService(const service::Kit& kit, Stores& stores, ServiceOptions options)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        stores_(stores),
        options_(std::move(options)) {}

  grpc::ServerBidiReactor<v1::ImportCustomersRequest, v1::ImportCustomersResponse>*
  ImportCustomers(grpc::CallbackServerContext* ctx) override {
    return service::ServeBidi(rpc_, ctx, kImportMethod, this, &CustomerBulkService::Import);
  }
  grpc::ServerUnaryReactor* GetImportBatch(grpc::CallbackServerContext* ctx,
                                           const v1::GetImportBatchRequest* request,
                                           v1::ImportBatch* response) override {
    return rpc_.Serve(ctx, kGetBatchMethod, this, &CustomerBulkService::GetBatch, request,
                      response);
  }
  grpc::ServerUnaryReactor* RollbackImport(grpc::CallbackServerContext* ctx,
                                           const v1::RollbackImportRequest* request,
                                           v1::ImportBatch* response) override {
    return rpc_.Serve(ctx, kRollbackMethod, this, &CustomerBulkService::Rollback, request,
                      response);
  }
  grpc::ServerWriteReactor<v1::ExportCustomersResponse>* ExportCustomers(
      grpc::CallbackServerContext* ctx, const v1::ExportCustomersRequest* request) override {
    return service::ServeServerStream(rpc_, ctx, kExportMethod, this,
                                      &CustomerBulkService::Export, request);
  }

  // The handlers proper, synchronous.
  absl::Status Import(const auth::Caller& caller,
                      service::StreamReader<v1::ImportCustomersRequest>& in,
                      service::StreamWriter<v1::ImportCustomersResponse>& out);
  absl::Status GetBatch(const auth::Caller& caller, const v1::GetImportBatchRequest& request,
                        v1::ImportBatch* response);
  absl::Status Rollback(const auth::Caller& caller, const v1::RollbackImportRequest& request,
                        v1::ImportBatch* response);
  absl::Status Export(const auth::Caller& caller, const v1::ExportCustomersRequest& request,
                      service::StreamWriter<v1::ExportCustomersResponse>& out);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  Stores& stores_;
  const ServiceOptions options_;
};

}  // namespace crm::customers
