// ImportCustomers, RollbackImport and ExportCustomers against a real MariaDB schema, through the
// streaming handlers with in-memory streams: per-row results, upserts by external id, the
// duplicate rules within a batch and against stored customers, dry runs, rollback of exactly
// one batch, and CSV exports by the record rules.
#include <google/protobuf/util/message_differencer.h>

#include "libs/base/csv.h"
#include "services/customers/customer_csv.h"
#include "services/customers/customers_testing.h"

namespace crm::customers {
namespace {

using Reader = testing::QueuedReader<v1::ImportCustomersRequest>;
using Writer = testing::CollectingWriter<v1::ImportCustomersResponse>;
using Outcome = v1::ImportRowResult;

v1::ImportRow Row(int64_t number, const std::string& name, const std::string& external_id = "",
                  const std::string& phone = "") {
  v1::ImportRow row;
  row.set_row_number(number);
  v1::Customer* c = row.mutable_customer();
  c->set_display_name(name);
  c->set_kind(v1::COMPANY);
  c->set_external_id(external_id);
  c->mutable_region()->set_country("CN");
  if (!phone.empty()) c->add_phones(phone);
  return row;
}

struct Imported {
  absl::Status status;
  v1::ImportBatch batch;    // the first response
  v1::ImportBatch summary;  // the last, when the import completed
  std::vector<v1::ImportRowResult> results;
};

class ImportTest : public testing::CustomersTest {
 protected:
  Imported Import(const auth::Caller& caller, std::vector<v1::ImportRow> rows,
                  v1::ImportOptions options = {}, int rows_per_message = 100) {
    Reader in;
    v1::ImportCustomersRequest first;
    *first.mutable_options() = options;
    in.Add(first);
    for (size_t i = 0; i < rows.size(); i += rows_per_message) {
      v1::ImportCustomersRequest message;
      for (size_t j = i; j < std::min(rows.size(), i + rows_per_message); ++j) {
        *message.mutable_rows()->add_rows() = rows[j];
      }
      in.Add(std::move(message));
    }
    Writer out;
    Imported imported;
    imported.status = bulk_->Import(caller, in, out);
    for (const v1::ImportCustomersResponse& response : out.written) {
      if (response.has_batch()) imported.batch = response.batch();
      if (response.has_summary()) imported.summary = response.summary();
      for (const auto& result : response.results().results()) imported.results.push_back(result);
    }
    return imported;
  }

  absl::StatusOr<v1::ImportBatch> Rollback(const auth::Caller& caller, const std::string& name) {
    v1::RollbackImportRequest request;
    request.set_name(name);
    v1::ImportBatch out;
    CRM_RETURN_IF_ERROR(bulk_->Rollback(caller, request, &out));
    return out;
  }

  // The CSV an export streams, as records.
  absl::StatusOr<std::vector<std::vector<std::string>>> ExportCsv(const auth::Caller& caller,
                                                                  const std::string& filter) {
    v1::ExportCustomersRequest request;
    request.set_filter(filter);
    testing::CollectingWriter<v1::ExportCustomersResponse> out;
    CRM_RETURN_IF_ERROR(bulk_->Export(caller, request, out));
    std::string text;
    for (const auto& piece : out.written) text += piece.csv();
    CsvReader reader(text);
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    while (reader.Next(&record)) records.push_back(record);
    CRM_RETURN_IF_ERROR(reader.status());
    return records;
  }
};

TEST_F(ImportTest, CreatesUpdatesAndReportsEveryRow) {
  const v1::Customer existing = CreateCompany(marketing_, "Existing Trading Ltd");
  v1::Customer with_id;
  with_id.set_name(existing.name());
  with_id.set_external_id("ERP-1");
  ASSERT_TRUE(Update(marketing_, with_id, {"external_id"}).ok());

  std::vector<v1::ImportRow> rows = {
      Row(2, "杭州云帆科技有限公司", "ERP-2", "0571-8888 6666"),
      Row(3, "Existing Trading Ltd", "ERP-1"),  // same values: unchanged
      Row(4, "", "ERP-4", "12345"),             // every bad field named
      Row(5, "New Name For Existing", "ERP-1"),  // an update by external id
  };
  rows[2].mutable_customer()->add_emails("nope");
  rows[3].mutable_customer()->set_industry("贸易");
  v1::ImportOptions options;
  options.set_label("展会名单.csv");
  const Imported imported = Import(marketing_, rows, options);
  ASSERT_TRUE(imported.status.ok()) << imported.status;
  ASSERT_EQ(imported.results.size(), 4u);
  EXPECT_TRUE(imported.batch.name().starts_with("imports/"));
  EXPECT_EQ(imported.results[0].outcome(), Outcome::CREATED);
  EXPECT_EQ(imported.results[0].row_number(), 2);
  EXPECT_TRUE(imported.results[0].customer().starts_with("customers/"));
  EXPECT_EQ(imported.results[1].outcome(), Outcome::UNCHANGED);
  EXPECT_EQ(imported.results[1].customer(), existing.name());
  EXPECT_EQ(imported.results[2].outcome(), Outcome::FAILED);
  EXPECT_EQ(imported.results[2].reason(), "INVALID_ARGUMENT");
  std::set<std::string> fields;
  for (const auto& v : imported.results[2].field_violations()) fields.insert(v.field());
  EXPECT_EQ(fields, (std::set<std::string>{"customer.display_name", "customer.phones[0]",
                                           "customer.emails[0]"}));
  EXPECT_EQ(imported.results[3].outcome(), Outcome::UPDATED);

  EXPECT_EQ(imported.summary.state(), v1::ImportBatch::COMPLETED);
  EXPECT_EQ(imported.summary.label(), "展会名单.csv");
  EXPECT_EQ(imported.summary.rows(), 4);
  EXPECT_EQ(imported.summary.created(), 1);
  EXPECT_EQ(imported.summary.updated(), 1);
  EXPECT_EQ(imported.summary.unchanged(), 1);
  EXPECT_EQ(imported.summary.failed(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers WHERE external_id = 'ERP-4'"), 0);

  absl::StatusOr<v1::Customer> updated = Get(admin_, existing.name());
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->display_name(), "New Name For Existing");
  EXPECT_EQ(updated->industry(), "贸易");
  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(admin_, existing.name(), "source = IMPORT");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);  // display_name and industry
  EXPECT_EQ((*history)[0].operation(), imported.batch.name());
  EXPECT_EQ(Events("crm.customers.v1.ImportBatchCompleted"), 1);
  EXPECT_EQ(Events("crm.customers.v1.CustomerCreated"), 2);  // the existing one and ERP-2
}

TEST_F(ImportTest, DuplicateRulesApplyToStoredCustomersAndWithinTheBatch) {
  const v1::Customer stored = CreateCompany(rep1_, "Stored Co Ltd", {"0571-8702 1234"});
  std::vector<v1::ImportRow> rows = {
      Row(1, "Phone Twin Ltd", "", "+86 571 8702 1234"),  // matches the stored customer
      Row(2, "Batch First Ltd", "", "0592-555 1234"),
      Row(3, "Batch Second Ltd", "", "0592 5551234"),      // matches row 2
      Row(4, "batch first limited"),                       // matches row 2 by name
  };
  const Imported rejected = Import(marketing_, rows);
  ASSERT_TRUE(rejected.status.ok()) << rejected.status;
  ASSERT_EQ(rejected.results.size(), 4u);
  EXPECT_EQ(rejected.results[0].reason(), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(rejected.results[0].duplicates(0), stored.name());
  EXPECT_EQ(rejected.results[1].outcome(), Outcome::CREATED);
  EXPECT_EQ(rejected.results[2].reason(), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(rejected.results[2].duplicates(0), rejected.results[1].customer());
  EXPECT_EQ(rejected.results[3].reason(), "DUPLICATE_CUSTOMER");

  v1::ImportOptions allow;
  allow.set_duplicates(v1::ALLOW_DUPLICATES);
  rows = {Row(1, "Phone Twin Ltd", "", "+86 571 8702 1234")};
  const Imported allowed = Import(marketing_, rows, allow);
  ASSERT_EQ(allowed.results.size(), 1u);
  EXPECT_EQ(allowed.results[0].outcome(), Outcome::CREATED);
  EXPECT_EQ(allowed.results[0].duplicates(0), stored.name());
  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(admin_, allowed.results[0].customer(), "action = DUPLICATE_ALLOWED");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
}

TEST_F(ImportTest, ADryRunReportsWhatWouldHappenAndWritesNothing) {
  const int64_t customers = Count("SELECT COUNT(*) FROM customers");
  const int64_t outbox = Count("SELECT COUNT(*) FROM outbox");
  v1::ImportOptions options;
  options.set_dry_run(true);
  std::vector<v1::ImportRow> rows;
  for (int i = 1; i <= 1200; ++i) {
    rows.push_back(Row(i, absl::StrCat("Dry Run ", i, " Ltd"), absl::StrCat("D-", i)));
  }
  // A later row repeats an earlier one's phone, across chunks: still a duplicate.
  rows[10].mutable_customer()->add_phones("0512-6523 1234");
  rows[1100].mutable_customer()->add_phones("0512 65231234");
  const Imported dry = Import(marketing_, rows, options, 1000);
  ASSERT_TRUE(dry.status.ok()) << dry.status;
  ASSERT_EQ(dry.results.size(), 1200u);
  EXPECT_TRUE(dry.batch.name().empty());
  EXPECT_TRUE(dry.summary.dry_run());
  EXPECT_EQ(dry.summary.created(), 1199);
  EXPECT_EQ(dry.results[1100].reason(), "DUPLICATE_CUSTOMER");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers"), customers);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), outbox);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM import_batches"), 0);
}

// The size: 100,000 rows, 1% of them bad. Exactly the bad rows are reported, each
// with its field, and nothing is written for them; every other row is created once.
TEST_F(ImportTest, AHundredThousandRowsWithOnePercentBadReportExactlyTheBadOnes) {
  constexpr int kRows = 100000;
  std::vector<v1::ImportRow> rows;
  rows.reserve(kRows);
  for (int i = 1; i <= kRows; ++i) {
    rows.push_back(Row(i, absl::StrCat("批量客户 ", i, " 号"), absl::StrCat("BULK-", i)));
    if (i % 100 == 0) rows.back().mutable_customer()->add_phones("12345");
  }
  const Imported imported = Import(marketing_, std::move(rows), {}, 1000);
  ASSERT_TRUE(imported.status.ok()) << imported.status;
  ASSERT_EQ(imported.results.size(), static_cast<size_t>(kRows));
  int failed = 0;
  for (int i = 0; i < kRows; ++i) {
    const v1::ImportRowResult& r = imported.results[i];
    ASSERT_EQ(r.row_number(), i + 1);
    if ((i + 1) % 100 == 0) {
      ++failed;
      ASSERT_EQ(r.outcome(), Outcome::FAILED) << r.row_number();
      ASSERT_EQ(r.field_violations_size(), 1) << r.row_number();
      EXPECT_EQ(r.field_violations(0).field(), "customer.phones[0]");
      EXPECT_TRUE(r.customer().empty());
    } else {
      ASSERT_EQ(r.outcome(), Outcome::CREATED) << r.row_number() << " " << r.message();
    }
  }
  EXPECT_EQ(failed, kRows / 100);
  EXPECT_EQ(imported.summary.state(), v1::ImportBatch::COMPLETED);
  EXPECT_EQ(imported.summary.created(), kRows - kRows / 100);
  EXPECT_EQ(imported.summary.failed(), kRows / 100);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers WHERE external_id LIKE 'BULK-%'"),
            kRows - kRows / 100);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers WHERE external_id LIKE 'BULK-%00'"), 0)
      << "a bad row wrote nothing";
}

TEST_F(ImportTest, RollbackUndoesExactlyThatBatch) {
  const v1::Customer kept = CreateCompany(marketing_, "Kept Outside Ltd");
  const v1::Customer updated = CreateCompany(marketing_, "Updated By Batch Ltd");
  v1::Customer with_id;
  with_id.set_name(updated.name());
  with_id.set_external_id("U-1");
  ASSERT_TRUE(Update(marketing_, with_id, {"external_id"}).ok());
  const absl::StatusOr<v1::Customer> before = Get(admin_, updated.name());
  ASSERT_TRUE(before.ok());

  std::vector<v1::ImportRow> rows = {Row(1, "Created A Ltd", "A"), Row(2, "Created B Ltd", "B"),
                                     Row(3, "Renamed By Batch Ltd", "U-1")};
  rows[2].mutable_customer()->add_tags("imported");
  const Imported batch = Import(marketing_, rows);
  ASSERT_TRUE(batch.status.ok()) << batch.status;
  const Imported other = Import(marketing_, {Row(1, "Other Batch Ltd", "O")});
  ASSERT_TRUE(other.status.ok());

  // Neither another marketing user nor a rep may undo it; the admin and the importer may.
  const auth::Caller marketing2 = auth::testing::MakeCaller(31, auth::v1::MARKETING);
  EXPECT_EQ(ErrorReason(Rollback(marketing2, batch.batch.name()).status()), "IMPORT_NOT_FOUND");
  EXPECT_EQ(Rollback(rep1_, batch.batch.name()).status().code(),
            absl::StatusCode::kPermissionDenied);

  absl::StatusOr<v1::ImportBatch> rolled = Rollback(marketing_, batch.batch.name());
  ASSERT_TRUE(rolled.ok()) << rolled.status();
  EXPECT_EQ(rolled->state(), v1::ImportBatch::ROLLED_BACK);
  EXPECT_EQ(rolled->rollback_actor(), marketing_.principal.user);
  EXPECT_EQ(Get(admin_, batch.results[0].customer()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(admin_, batch.results[1].customer()).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<v1::Customer> restored = Get(admin_, updated.name());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->display_name(), before->display_name());
  EXPECT_EQ(restored->tags_size(), 0);
  // What the other batch and the rest wrote is untouched.
  EXPECT_TRUE(Get(admin_, other.results[0].customer()).ok());
  EXPECT_TRUE(Get(admin_, kept.name()).ok());
  absl::StatusOr<std::vector<v1::HistoryEntry>> history =
      History(admin_, updated.name(), "source = IMPORT_ROLLBACK");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);  // display_name, tags
  EXPECT_EQ(Events("crm.customers.v1.ImportBatchRolledBack"), 1);
  // The external ids are free again.
  EXPECT_TRUE(Import(marketing_, {Row(1, "Created A Again Ltd", "A")}).results[0].outcome() ==
              Outcome::CREATED);
  EXPECT_EQ(ErrorReason(Rollback(admin_, batch.batch.name()).status()), "ALREADY_ROLLED_BACK");
}

TEST_F(ImportTest, ARollbackIsRefusedWhenRowsChangedSinceAndChangesNothing) {
  const Imported batch = Import(marketing_, {Row(1, "First Ltd", "F1"), Row(2, "Second Ltd", "F2")});
  ASSERT_TRUE(batch.status.ok());
  v1::Customer notes;
  notes.set_name(batch.results[1].customer());
  notes.set_notes("changed by hand");
  ASSERT_TRUE(Update(marketing_, notes, {"notes"}).ok());
  absl::StatusOr<v1::ImportBatch> refused = Rollback(admin_, batch.batch.name());
  ASSERT_EQ(ErrorReason(refused.status()), "IMPORT_ROWS_CHANGED");
  EXPECT_EQ(ErrorMetadata(refused.status(), "changed"), batch.results[1].customer());
  EXPECT_TRUE(Get(admin_, batch.results[0].customer()).ok());
  EXPECT_TRUE(Get(admin_, batch.results[1].customer()).ok());
}

TEST_F(ImportTest, StreamErrorsEndTheCallAndLeaveTheBatchInterrupted) {
  Reader no_options;
  v1::ImportCustomersRequest rows_first;
  *rows_first.mutable_rows()->add_rows() = Row(1, "Too Early Ltd");
  no_options.Add(rows_first);
  Writer out;
  EXPECT_EQ(bulk_->Import(marketing_, no_options, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM import_batches"), 0);

  std::vector<v1::ImportRow> rows;
  for (int i = 1; i <= 600; ++i) rows.push_back(Row(i, absl::StrCat("Ordered ", i, " Ltd")));
  rows.push_back(Row(5, "Out Of Order Ltd"));
  const Imported broken = Import(marketing_, rows);
  EXPECT_EQ(broken.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(broken.results.size(), 500u) << "the first chunk was written before the bad row";
  absl::StatusOr<v1::ImportBatch> batch = [&]() -> absl::StatusOr<v1::ImportBatch> {
    v1::GetImportBatchRequest get;
    get.set_name(broken.batch.name());
    v1::ImportBatch out;
    CRM_RETURN_IF_ERROR(bulk_->GetBatch(marketing_, get, &out));
    return out;
  }();
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->state(), v1::ImportBatch::INTERRUPTED);
  EXPECT_EQ(batch->created(), 500);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers"), 500);
  EXPECT_TRUE(Rollback(marketing_, broken.batch.name()).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM customers WHERE delete_time IS NULL"), 0);
}

TEST_F(ImportTest, ExportWritesRfc4180CsvOfWhatTheCallerMayRead) {
  std::vector<v1::ImportRow> rows;
  for (int i = 1; i <= 700; ++i) rows.push_back(Row(i, absl::StrCat("Export ", i, " Ltd")));
  rows[0].mutable_customer()->set_notes("said \"call back\",\nnext week");
  rows[0].mutable_customer()->add_tags("vip");
  rows[0].mutable_customer()->add_tags("key_account");
  ASSERT_TRUE(Import(marketing_, rows).status.ok());
  CreateCompany(rep2_, "Rep Two Own Ltd");

  absl::StatusOr<std::vector<std::vector<std::string>>> all = ExportCsv(admin_, "");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 702u);  // header + 701, across pages of 500
  EXPECT_EQ((*all)[0], CsvColumns());
  // Read back as crmctl would, the first imported row has its notes and tags intact.
  absl::StatusOr<CsvCustomerReader> reader = CsvCustomerReader::ForHeader((*all)[0]);
  ASSERT_TRUE(reader.ok());
  bool found = false;
  for (size_t i = 1; i < all->size(); ++i) {
    absl::StatusOr<v1::Customer> c = reader->Read((*all)[i]);
    ASSERT_TRUE(c.ok()) << c.status();
    if (c->display_name() != "Export 1 Ltd") continue;
    found = true;
    EXPECT_EQ(c->notes(), "said \"call back\",\nnext week");
    EXPECT_EQ(c->tags_size(), 2);
    EXPECT_EQ(c->kind(), v1::COMPANY);
  }
  EXPECT_TRUE(found);

  absl::StatusOr<std::vector<std::vector<std::string>>> rep = ExportCsv(rep2_, "");
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->size(), 2u);
  EXPECT_EQ((*rep)[1][2], "Rep Two Own Ltd");
  absl::StatusOr<std::vector<std::vector<std::string>>> filtered =
      ExportCsv(admin_, "tags:\"vip\"");
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->size(), 2u);
  EXPECT_EQ(ErrorReason(ExportCsv(admin_, "bogus = 1").status()), "INVALID_FILTER");
}

}  // namespace
}  // namespace crm::customers
