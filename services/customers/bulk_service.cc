#include "services/customers/bulk_service.h"

#include "absl/strings/str_cat.h"
#include "libs/api/fields.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/csv.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_csv.h"

namespace crm::customers {
namespace {

constexpr char kImports[] = "imports";
constexpr int kMaxLabel = 200;
constexpr int kMaxRowsPerMessage = 1000;

absl::Status CheckOptions(v1::ImportOptions& options) {
  Violations violations;
  api::FieldChecker check(violations, "options");
  check.Text(options.mutable_label(), "label", kMaxLabel, false);
  if (!v1::DuplicatePolicy_IsValid(options.duplicates())) {
    check.Add("duplicates", "is not REJECT_DUPLICATES or ALLOW_DUPLICATES");
  }
  return violations.ToStatus("invalid import options");
}

absl::Status ClientGone() {
  return absl::CancelledError("the client stopped reading the results");
}

}  // namespace

absl::Status CustomerBulkService::Import(
    const auth::Caller& caller, service::StreamReader<v1::ImportCustomersRequest>& in,
    service::StreamWriter<v1::ImportCustomersResponse>& out) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kImportMethod));
  v1::ImportCustomersRequest message;
  if (!in.Read(&message)) return InvalidField("options", "the stream ended before the options");
  if (!message.has_options()) {
    return InvalidField("options", "the first message must carry the options");
  }
  v1::ImportOptions options = message.options();
  CRM_RETURN_IF_ERROR(CheckOptions(options));
  std::unique_ptr<ImportRun> run =
      stores_.imports.NewRun(access, options, options_.default_phone_region);
  v1::ImportCustomersResponse response;
  CRM_ASSIGN_OR_RETURN(*response.mutable_batch(), run->Start());
  if (!out.Write(response)) {
    (void)run->Finish(false);
    return ClientGone();
  }

  std::vector<v1::ImportRow> chunk;
  chunk.reserve(kChunk);
  int64_t last_row = 0;
  // Imports the rows held so far and sends their results.
  auto flush = [&]() -> absl::Status {
    if (chunk.empty()) return absl::OkStatus();
    CRM_ASSIGN_OR_RETURN(std::vector<v1::ImportRowResult> results, run->Process(std::move(chunk)));
    chunk.clear();
    v1::ImportCustomersResponse answer;
    for (v1::ImportRowResult& result : results) {
      *answer.mutable_results()->add_results() = std::move(result);
    }
    return out.Write(answer) ? absl::OkStatus() : ClientGone();
  };
  // Reads the rest of the stream; its error ends the call (and the batch as interrupted).
  auto receive = [&]() -> absl::Status {
    while (in.Read(&message)) {
      if (!message.has_rows()) {
        return InvalidField("options", "only the first message may carry the options");
      }
      const int count = message.rows().rows_size();
      if (count == 0 || count > kMaxRowsPerMessage) {
        return InvalidField("rows.rows",
                            absl::StrCat("a message carries 1-", kMaxRowsPerMessage, " rows"));
      }
      for (v1::ImportRow& row : *message.mutable_rows()->mutable_rows()) {
        if (row.row_number() <= last_row) {
          return InvalidField("rows.rows.row_number",
                              absl::StrCat("row ", row.row_number(),
                                           " is not positive or not after row ", last_row));
        }
        last_row = row.row_number();
        chunk.push_back(std::move(row));
        if (chunk.size() == kChunk) CRM_RETURN_IF_ERROR(flush());
      }
    }
    return flush();
  };
  if (absl::Status received = receive(); !received.ok()) {
    (void)run->Finish(false);
    return received;
  }
  v1::ImportCustomersResponse summary;
  CRM_ASSIGN_OR_RETURN(*summary.mutable_summary(), run->Finish(true));
  return out.Write(summary) ? absl::OkStatus() : ClientGone();
}

absl::Status CustomerBulkService::GetBatch(const auth::Caller& caller,
                                           const v1::GetImportBatchRequest& request,
                                           v1::ImportBatch* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetBatchMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kImports, "name"));
  CRM_ASSIGN_OR_RETURN(*response, stores_.imports.Get(access, id));
  return absl::OkStatus();
}

absl::Status CustomerBulkService::Rollback(const auth::Caller& caller,
                                           const v1::RollbackImportRequest& request,
                                           v1::ImportBatch* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kRollbackMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kImports, "name"));
  CRM_ASSIGN_OR_RETURN(*response,
                       stores_.imports.Rollback(access, id,
                                                db::KeyFor("RollbackImport", request,
                                                           access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerBulkService::Export(const auth::Caller& caller,
                                         const v1::ExportCustomersRequest& request,
                                         service::StreamWriter<v1::ExportCustomersResponse>& out) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kExportMethod));
  if (!v1::ExportFormat_IsValid(request.format())) {
    return InvalidField("format", "is not CSV or MESSAGES");
  }
  const bool csv = request.format() != v1::MESSAGES;
  // List's own paging, page after page: keyset positions, so memory stays one page.
  CRM_ASSIGN_OR_RETURN(api::ListQuery query,
                       api::PrepareList(kChunk, request.filter(), request.order_by(), "",
                                        CustomerStore::ListSpec(), page_tokens_, access.actor()));
  bool first = true;
  while (true) {
    CRM_ASSIGN_OR_RETURN(api::Page<v1::Customer> page, stores_.customers.List(access, query));
    v1::ExportCustomersResponse response;
    if (csv) {
      std::string text;
      if (first) AppendCsvRecord(text, CsvColumns());
      for (const v1::Customer& customer : page.items) AppendCsvRecord(text, CsvFields(customer));
      response.set_csv(std::move(text));
    } else {
      for (v1::Customer& customer : page.items) *response.add_customers() = std::move(customer);
    }
    first = false;
    if (!out.Write(response)) return ClientGone();
    if (!page.has_more) return absl::OkStatus();
    query.after = std::move(page.last_key);
  }
}

}  // namespace crm::customers
