#include "services/customers/import_store.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "libs/api/text.h"
#include "libs/base/time.h"
#include "libs/db/json.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/search/search.h"
#include "services/customers/customer_rows.h"
#include "services/customers/event_types.h"
#include "services/customers/history.h"
#include "services/customers/store_sql.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kImports[] = "imports";
// A RUNNING batch that received nothing for this long counts as interrupted.
constexpr absl::Duration kStaleRunning = absl::Minutes(10);
// Owner verdicts kept per run, at most (there are few owners; this only bounds memory).
constexpr size_t kOwnerChecks = 10000;
// Customers a rollback reads and writes per statement group.
constexpr int kRollbackPage = 1000;
// Changed customers named in IMPORT_ROWS_CHANGED, at most.
constexpr size_t kChangedNamed = 100;

constexpr char kInsertBatch[] =
    "INSERT INTO import_batches (label, importer, state, duplicates, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
#define CRM_BATCH_COLUMNS                                                                      \
  "SELECT id, label, importer, state, duplicates, rows_seen, rows_created, rows_updated, "     \
  "rows_unchanged, rows_failed, create_time, update_time, complete_time, rollback_time, "      \
  "rollback_actor FROM import_batches WHERE id = ?"
constexpr char kSelectBatch[] = CRM_BATCH_COLUMNS;
constexpr char kLockBatch[] = CRM_BATCH_COLUMNS " FOR UPDATE";
#undef CRM_BATCH_COLUMNS
constexpr char kCountRows[] =
    "UPDATE import_batches SET rows_seen = rows_seen + ?, rows_created = rows_created + ?, "
    "rows_updated = rows_updated + ?, rows_unchanged = rows_unchanged + ?, "
    "rows_failed = rows_failed + ?, update_time = ? WHERE id = ?";
constexpr char kEndBatch[] =
    "UPDATE import_batches SET state = ?, complete_time = ?, update_time = ? WHERE id = ?";
constexpr char kRollBackBatch[] =
    "UPDATE import_batches SET state = ?, rollback_time = ?, rollback_actor = ?, update_time = ? "
    "WHERE id = ?";
constexpr char kByExternalIds[] =
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (v VARCHAR(128) CHARACTER SET utf8mb4 PATH '$')) j "
    "JOIN customers c ON c.live_external_id = j.v COLLATE utf8mb4_bin FOR UPDATE";
constexpr char kRecordChanges[] =
    "INSERT INTO import_changes (batch_id, customer_id, created, before_image, version_after) "
    "SELECT ?, j.customer_id, j.created, IF(j.before_image = '', NULL, "
    "FROM_BASE64(j.before_image)), j.version_after FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "customer_id BIGINT PATH '$[0]', created INT PATH '$[1]', before_image MEDIUMTEXT PATH "
    "'$[2]', version_after BIGINT PATH '$[3]')) j "
    "ON DUPLICATE KEY UPDATE version_after = VALUES(version_after)";
constexpr char kChangesPage[] =
    "SELECT ic.customer_id, ic.created, ic.before_image, ic.version_after, c.version, "
    "c.delete_time IS NULL FROM import_changes ic JOIN customers c ON c.id = ic.customer_id "
    "WHERE ic.batch_id = ? AND ic.customer_id > ? ORDER BY ic.customer_id LIMIT ? FOR UPDATE";
constexpr char kCustomersIn[] =
    " FROM customers c WHERE c.id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "
    "PATH '$')) j)";
// The id list joined first, not "WHERE id IN (SELECT ... JSON_TABLE)": MariaDB runs a
// single-table UPDATE with an IN subquery as a scan of every customer (see customer_rows.cc).
constexpr char kSoftDeleteIn[] =
    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j STRAIGHT_JOIN customers c "
    "ON c.id = j.id SET c.delete_time = ?, c.update_time = ?, c.version = c.version + 1";

std::string BatchName(int64_t id) { return api::ResourceName(kImports, id); }

v1::ImportBatch BatchFromRow(const db::Row& row, absl::Time now) {
  v1::ImportBatch batch;
  batch.set_name(BatchName(row.Int(0)));
  batch.set_label(row.Str(1));
  batch.set_importer(row.Str(2));
  auto state = static_cast<v1::ImportBatch::State>(row.Int(3));
  const absl::StatusOr<absl::Time> active = db::ParseDateTime(row.Str(11));
  if (state == v1::ImportBatch::RUNNING && active.ok() && now - *active > kStaleRunning) {
    state = v1::ImportBatch::INTERRUPTED;
  }
  batch.set_state(state);
  batch.set_duplicates(static_cast<v1::DuplicatePolicy>(row.Int(4)));
  batch.set_rows(row.Int(5));
  batch.set_created(row.Int(6));
  batch.set_updated(row.Int(7));
  batch.set_unchanged(row.Int(8));
  batch.set_failed(row.Int(9));
  *batch.mutable_create_time() = TimestampFromDateTime(row.Str(10));
  if (!row.IsNull(12)) *batch.mutable_complete_time() = TimestampFromDateTime(row.Str(12));
  if (!row.IsNull(13)) *batch.mutable_rollback_time() = TimestampFromDateTime(row.Str(13));
  batch.set_rollback_actor(row.Str(14));
  return batch;
}

absl::Status BatchNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "IMPORT_NOT_FOUND",
               absl::StrCat(BatchName(id), " does not exist"));
}

// Whether `access` may see and undo batch `row`: its importer and admins.
bool MayHandle(const records::Access& access, const db::Row& row) {
  return access.principal().Is(auth::v1::ADMIN) || row.Str(2) == access.actor();
}

// What an imported row sets, copied over the customer it updates: text that is not empty,
// enums that are not unspecified, lists that are not empty. Empty fields leave the stored
// values alone.
void MergeRowInto(const v1::Customer& row, v1::Customer* target) {
  auto set = [](const std::string& from, std::string* to) {
    if (!api::Trim(from).empty()) *to = from;
  };
  set(row.display_name(), target->mutable_display_name());
  if (row.kind() != v1::CUSTOMER_KIND_UNSPECIFIED) target->set_kind(row.kind());
  set(row.industry(), target->mutable_industry());
  if (row.size_band() != v1::SIZE_BAND_UNSPECIFIED) target->set_size_band(row.size_band());
  set(row.region().country(), target->mutable_region()->mutable_country());
  set(row.region().province(), target->mutable_region()->mutable_province());
  set(row.region().city(), target->mutable_region()->mutable_city());
  set(row.address(), target->mutable_address());
  if (!row.tags().empty()) *target->mutable_tags() = row.tags();
  if (!row.emails().empty()) *target->mutable_emails() = row.emails();
  if (!row.phones().empty()) *target->mutable_phones() = row.phones();
  set(row.source(), target->mutable_source());
  set(row.owner(), target->mutable_owner());
  set(row.notes(), target->mutable_notes());
  if (!row.dates().empty()) *target->mutable_dates() = row.dates();
}

void Fail(v1::ImportRowResult& result, const absl::Status& status) {
  result.set_outcome(v1::ImportRowResult::FAILED);
  result.set_reason(ErrorReason(status));
  if (result.reason().empty()) result.set_reason(absl::StatusCodeToString(status.code()));
  result.set_message(std::string(status.message()));
  for (const FieldViolation& v : FieldViolations(status)) {
    auto* out = result.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
}

}  // namespace

struct ImportRun::Row {
  v1::ImportRowResult base;  // the result before this attempt at writing
  v1::ImportRowResult result;
  v1::Customer input;         // as sent, output-only fields cleared
  MatchKeys keys;             // of the input, normalised as far as it goes
  bool failed = false;
  // Set while writing a piece:
  bool update = false;
  bool unchanged = false;
  int64_t id = 0;
  int64_t version = 0;
  v1::Customer existing;
  v1::Customer target;
  Matches matches;
};

std::unique_ptr<ImportRun> ImportStore::NewRun(const records::Access& access,
                                               v1::ImportOptions options,
                                               std::string default_region) {
  return std::unique_ptr<ImportRun>(
      new ImportRun(*this, access, std::move(options), std::move(default_region)));
}

ImportRun::ImportRun(ImportStore& store, const records::Access& access, v1::ImportOptions options,
                     std::string default_region)
    : store_(store),
      access_(access),
      owners_(access, kOwnerField),
      options_(std::move(options)),
      default_region_(std::move(default_region)) {}

ImportRun::~ImportRun() = default;

absl::StatusOr<v1::ImportBatch> ImportRun::Start() {
  const absl::Time now = store_.clock_.Now();
  batch_.set_label(options_.label());
  batch_.set_importer(access_.actor());
  batch_.set_state(v1::ImportBatch::RUNNING);
  batch_.set_dry_run(options_.dry_run());
  batch_.set_duplicates(options_.duplicates() == v1::ALLOW_DUPLICATES ? v1::ALLOW_DUPLICATES
                                                                       : v1::REJECT_DUPLICATES);
  *batch_.mutable_create_time() = ToTimestamp(now);
  if (options_.dry_run()) {
    CRM_ASSIGN_OR_RETURN(dry_run_tx_, store_.pool_.Begin());
    return batch_;
  }
  const std::string now_text = db::FormatDateTime(now);
  CRM_ASSIGN_OR_RETURN(auto session, store_.pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      session->Query(kInsertBatch, {options_.label(), access_.actor(),
                                    int64_t{v1::ImportBatch::RUNNING},
                                    int64_t{batch_.duplicates()}, now_text, now_text}));
  batch_id_ = rows[0].Int(0);
  batch_.set_name(BatchName(batch_id_));
  *batch_.mutable_create_time() = TimestampFromDateTime(now_text);
  return batch_;
}

absl::StatusOr<std::vector<v1::ImportRowResult>> ImportRun::Process(
    std::vector<v1::ImportRow> rows) {
  std::vector<Row> all(rows.size());
  if (owners_.size() >= kOwnerChecks) owners_.Clear();
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& r = all[i];
    r.input = std::move(*rows[i].mutable_customer());
    r.input.clear_name();
    r.input.clear_etag();
    r.input.clear_create_time();
    r.input.clear_update_time();
    r.input.clear_creator();
    r.input.clear_company_match_key();
    r.input.set_external_id(api::Trim(r.input.external_id()));
    r.base.set_row_number(rows[i].row_number());
    r.base.set_external_id(r.input.external_id());
    // Normalised as far as it goes, for cutting the chunk where rows overlap; the row is
    // validated for real once it is known whether it creates or updates.
    v1::Customer normalised = r.input;
    (void)NormalizeAndValidate(normalised, "customer", default_region_);
    r.keys = KeysOf(normalised);
    // The only owners the row can name; looked up now, while no row is locked.
    if (normalised.owner().starts_with("users/")) owners_.Prepare(normalised.owner());
  }
  // Pieces of independent rows, in order.
  std::vector<std::vector<Row>> pieces;
  // The external ids and match keys of the piece being filled, prefixed by kind.
  std::set<std::string> taken;
  for (Row& r : all) {
    std::vector<std::string> values;
    if (!r.input.external_id().empty()) values.push_back("x" + r.input.external_id());
    for (const std::string& e : r.keys.emails) values.push_back("e" + e);
    for (const std::string& p : r.keys.phones) values.push_back("p" + p);
    if (!r.keys.company.empty()) values.push_back("c" + r.keys.company);
    const bool overlaps = std::any_of(values.begin(), values.end(),
                                      [&](const std::string& v) { return taken.contains(v); });
    if (pieces.empty() || overlaps) {
      pieces.emplace_back();
      taken.clear();
    }
    taken.insert(values.begin(), values.end());
    pieces.back().push_back(std::move(r));
  }
  std::vector<v1::ImportRowResult> results;
  results.reserve(rows.size());
  for (std::vector<Row>& piece : pieces) {
    if (dry_run_tx_ != nullptr) {
      CRM_RETURN_IF_ERROR(WritePiece(*dry_run_tx_, piece));
    } else {
      CRM_RETURN_IF_ERROR(store_.pool_.InTransaction(
          [&](db::Transaction& tx) { return WritePiece(tx, piece); }));
    }
    for (Row& r : piece) {
      switch (r.result.outcome()) {
        case v1::ImportRowResult::CREATED:
          batch_.set_created(batch_.created() + 1);
          break;
        case v1::ImportRowResult::UPDATED:
          batch_.set_updated(batch_.updated() + 1);
          break;
        case v1::ImportRowResult::UNCHANGED:
          batch_.set_unchanged(batch_.unchanged() + 1);
          break;
        default:
          batch_.set_failed(batch_.failed() + 1);
          break;
      }
      batch_.set_rows(batch_.rows() + 1);
      results.push_back(std::move(r.result));
    }
  }
  return results;
}

absl::Status ImportRun::WritePiece(db::Transaction& tx, std::vector<Row>& piece) {
  const bool dry_run = dry_run_tx_ != nullptr;
  const ChangeContext context{.actor = access_.actor(),
                              .source = v1::IMPORT,
                              .operation = batch_.name(),
                              .time = store_.clock_.Now()};
  const std::string now = db::FormatDateTime(context.time);
  // Everything below is worked out afresh on every attempt (the pool retries on deadlock).
  for (Row& r : piece) {
    r.result = r.base;
    r.failed = r.update = r.unchanged = false;
    r.id = r.version = 0;
    r.existing.Clear();
    r.target.Clear();
    r.matches = {};
  }

  // 1. The customers the rows' external ids name.
  std::map<std::string, db::Row> by_external_id;
  {
    std::string json = "[";
    for (const Row& r : piece) {
      if (r.input.external_id().empty()) continue;
      if (json.size() > 1) json.push_back(',');
      db::AppendJsonString(json, r.input.external_id());
    }
    json.push_back(']');
    if (json.size() > 2) {
      CRM_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(absl::StrCat(sql::kSelectColumns, kByExternalIds), {json}));
      for (db::Row& row : rows) {
        std::string external_id = row.Str(19);
        by_external_id.emplace(std::move(external_id), std::move(row));
      }
    }
  }

  // 2. Each row as a create or as an update of the customer it names, validated.
  for (Row& r : piece) {
    auto found = r.input.external_id().empty() ? by_external_id.end()
                                               : by_external_id.find(r.input.external_id());
    if (found != by_external_id.end()) {
      r.update = true;
      r.existing = CustomerFromRow(found->second);
      r.id = found->second.Int(0);
      r.version = found->second.Int(1);
      r.result.set_customer(r.existing.name());
      if (!access_.Can(auth::Operation::kRead, r.existing.owner())) {
        r.result.clear_customer();
        Fail(r.result, Error(absl::StatusCode::kAlreadyExists, "EXTERNAL_ID_TAKEN",
                             "the external_id belongs to a customer you cannot see"));
        r.failed = true;
        continue;
      }
      if (!access_.Can(auth::Operation::kWrite, r.existing.owner())) {
        Fail(r.result, Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                             absl::StrCat("you may read ", r.existing.name(),
                                          " but not change it")));
        r.failed = true;
        continue;
      }
      r.target = r.existing;
      MergeRowInto(r.input, &r.target);
    } else {
      r.target = r.input;
    }
    if (absl::Status valid = NormalizeAndValidate(r.target, "customer", default_region_);
        !valid.ok()) {
      Fail(r.result, valid);
      r.failed = true;
      continue;
    }
    if (r.update) {
      if (ChangedTopLevelPaths(r.existing, r.target).empty()) {
        r.unchanged = true;
        r.result.set_outcome(v1::ImportRowResult::UNCHANGED);
        continue;
      }
      if (r.target.owner() != r.existing.owner()) {
        if (absl::Status owner = owners_.Check(r.existing.owner(), r.target.owner()); !owner.ok()) {
          Fail(r.result, owner);
          r.failed = true;
        }
      }
    } else {
      if (r.target.owner().empty()) r.target.set_owner(access_.actor());
      if (r.target.owner() != access_.actor()) {
        if (absl::Status owner = owners_.Check(r.target.owner(), r.target.owner()); !owner.ok()) {
          Fail(r.result, owner);
          r.failed = true;
        }
      }
    }
  }

  // 3. The duplicate rules, for what each row adds.
  std::vector<Row*> writing;
  std::vector<MatchKeys> keys;
  std::vector<int64_t> self;
  for (Row& r : piece) {
    if (r.failed || r.unchanged) continue;
    writing.push_back(&r);
    keys.push_back(r.update ? AddedKeys(r.existing, r.target) : KeysOf(r.target));
    self.push_back(r.id);
  }
  CRM_ASSIGN_OR_RETURN(std::vector<Matches> matches, FindMatches(tx, access_, keys, self));
  std::vector<Row*> creates, updates;
  for (size_t i = 0; i < writing.size(); ++i) {
    Row& r = *writing[i];
    r.matches = std::move(matches[i]);
    for (const std::string& name : r.matches.names()) r.result.add_duplicates(name);
    if (!r.matches.empty() && options_.duplicates() != v1::ALLOW_DUPLICATES) {
      Fail(r.result, DuplicateError(r.matches));
      r.failed = true;
      continue;
    }
    (r.update ? updates : creates).push_back(&r);
  }

  // 4. The writes.
  std::vector<CustomerRef> created_refs;
  for (Row* r : creates) {
    absl::StatusOr<int64_t> id = InsertCustomer(tx, r->target, access_.actor(), now);
    if (!id.ok()) return id.status();
    r->id = *id;
    r->result.set_outcome(v1::ImportRowResult::CREATED);
    if (!dry_run) r->result.set_customer(CustomerName(*id));
    created_refs.push_back({*id, &r->target});
  }
  CRM_RETURN_IF_ERROR(WriteChildren(tx, created_refs, /*is_new=*/true));
  for (Row* r : updates) {
    CRM_RETURN_IF_ERROR(WriteCustomer(tx, access_, r->id, r->target, now));
    r->result.set_outcome(v1::ImportRowResult::UPDATED);
  }
  if (dry_run) return absl::OkStatus();  // enough for later pieces to see these rows

  CRM_RETURN_IF_ERROR(WriteCustomerDateRows(tx, created_refs, /*is_new=*/true));
  std::vector<int64_t> created_ids, updated_ids;
  for (Row* r : creates) created_ids.push_back(r->id);
  for (Row* r : updates) updated_ids.push_back(r->id);
  CRM_RETURN_IF_ERROR(IndexCustomers(tx, created_ids, /*fresh=*/true));
  CRM_RETURN_IF_ERROR(IndexCustomers(tx, updated_ids));

  std::vector<HistoryRow> history;
  std::vector<v1::Customer> snapshots;  // the events' payloads
  snapshots.reserve(creates.size() + updates.size());
  std::vector<events::EventWithSnapshot> events;
  events.reserve(creates.size() + updates.size());
  db::JsonRows changes;
  const google::protobuf::Timestamp time = TimestampFromDateTime(now);
  for (Row* r : creates) {
    history.push_back(
        {.customer_id = r->id, .action = v1::CREATED, .new_value = r->target.display_name()});
    if (!r->matches.empty()) history.push_back(DuplicateAllowedRow(r->id, r->matches));
    v1::Customer& created = snapshots.emplace_back(r->target);
    created.set_name(CustomerName(r->id));
    created.set_etag(api::EtagFromVersion(1));
    created.set_creator(access_.actor());
    *created.mutable_create_time() = time;
    *created.mutable_update_time() = time;
    changes.Row().Add(r->id).Add(int64_t{1}).Add("").Add(int64_t{1});
  }
  for (Row* r : updates) {
    for (HistoryRow& row : CustomerChanges(r->id, r->existing, r->target)) {
      history.push_back(std::move(row));
    }
    if (!r->matches.empty()) history.push_back(DuplicateAllowedRow(r->id, r->matches));
    v1::Customer& updated = snapshots.emplace_back(r->target);
    updated.set_etag(api::EtagFromVersion(r->version + 1));
    *updated.mutable_update_time() = time;
    changes.Row()
        .Add(r->id)
        .Add(int64_t{0})
        .Add(absl::Base64Escape(r->existing.SerializeAsString()))
        .Add(r->version + 1);
  }
  for (size_t i = 0; i < creates.size(); ++i) {
    events.push_back({.event = {.type = kCustomerCreatedEvent,
                                .resource = snapshots[i].name(),
                                .actor = access_.actor()},
                      .snapshot = &snapshots[i]});
  }
  for (size_t i = 0; i < updates.size(); ++i) {
    const v1::Customer& updated = snapshots[creates.size() + i];
    events.push_back({.event = {.type = kCustomerUpdatedEvent,
                                .resource = updated.name(),
                                .actor = access_.actor(),
                                .changed_paths = ChangedTopLevelPaths(updates[i]->existing,
                                                                      updated)},
                      .snapshot = &updated});
  }
  CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
  CRM_RETURN_IF_ERROR(events::AppendAll(tx, events));
  if (!changes.empty()) {
    CRM_RETURN_IF_ERROR(tx.Execute(kRecordChanges, {batch_id_, changes.Take()}).status());
  }
  int64_t failed = 0, unchanged = 0;
  for (const Row& r : piece) {
    failed += r.result.outcome() == v1::ImportRowResult::FAILED;
    unchanged += r.result.outcome() == v1::ImportRowResult::UNCHANGED;
  }
  return tx
      .Execute(kCountRows, {static_cast<int64_t>(piece.size()), static_cast<int64_t>(creates.size()),
                            static_cast<int64_t>(updates.size()), unchanged, failed, now,
                            batch_id_})
      .status();
}

absl::StatusOr<v1::ImportBatch> ImportRun::Finish(bool completed) {
  const auto state = completed ? v1::ImportBatch::COMPLETED : v1::ImportBatch::INTERRUPTED;
  batch_.set_state(state);
  const absl::Time now = store_.clock_.Now();
  *batch_.mutable_complete_time() = ToTimestamp(now);
  if (dry_run_tx_ != nullptr) {
    dry_run_tx_.reset();  // rolled back: a dry run writes nothing
    return batch_;
  }
  const std::string now_text = db::FormatDateTime(now);
  absl::Status ended = store_.pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        tx.Execute(kEndBatch, {int64_t{state}, now_text, now_text, batch_id_}).status());
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectBatch, {batch_id_}));
    batch_ = BatchFromRow(rows[0], now);
    return events::Append(tx,
                          {.type = completed ? kImportBatchCompletedEvent
                                             : kImportBatchInterruptedEvent,
                           .resource = batch_.name(),
                           .actor = access_.actor()},
                          batch_);
  });
  if (!ended.ok()) return ended;
  return batch_;
}

absl::StatusOr<v1::ImportBatch> ImportStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(kSelectBatch, {id}));
  if (rows.empty() || !MayHandle(access, rows[0])) return BatchNotFound(id);
  return BatchFromRow(rows[0], clock_.Now());
}

absl::StatusOr<v1::ImportBatch> ImportStore::Rollback(const records::Access& access, int64_t id,
                                                      const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::ImportBatch>(
      pool_, key, [&](db::Transaction& tx, v1::ImportBatch& result) -> absl::Status {
        const absl::Time now_time = clock_.Now();
        const std::string now = db::FormatDateTime(now_time);
        CRM_ASSIGN_OR_RETURN(db::Rows batches, tx.Query(kLockBatch, {id}));
        if (batches.empty() || !MayHandle(access, batches[0])) return BatchNotFound(id);
        const v1::ImportBatch batch = BatchFromRow(batches[0], now_time);
        if (batch.state() == v1::ImportBatch::ROLLED_BACK) {
          return Error(absl::StatusCode::kFailedPrecondition, "ALREADY_ROLLED_BACK",
                       absl::StrCat(batch.name(), " was rolled back already"));
        }
        if (batch.state() == v1::ImportBatch::RUNNING) {
          return Error(absl::StatusCode::kFailedPrecondition, "IMPORT_RUNNING",
                       absl::StrCat(batch.name(), " is still receiving rows"));
        }
        // First every customer the batch wrote must be as the batch left it; the pages are
        // locked as they are read, so nothing changes them before the writes below.
        std::vector<std::string> changed;
        for (int64_t after = 0;;) {
          CRM_ASSIGN_OR_RETURN(db::Rows rows,
                               tx.Query(kChangesPage, {id, after, int64_t{kRollbackPage}}));
          for (const db::Row& row : rows) {
            if ((row.Int(4) != row.Int(3) || row.Int(5) == 0) && changed.size() < kChangedNamed) {
              changed.push_back(CustomerName(row.Int(0)));
            }
          }
          if (rows.size() < static_cast<size_t>(kRollbackPage)) break;
          after = rows.back().Int(0);
        }
        if (!changed.empty()) {
          absl::Status status =
              Error(absl::StatusCode::kFailedPrecondition, "IMPORT_ROWS_CHANGED",
                    absl::StrCat("customers the batch wrote were changed since: ",
                                 absl::StrJoin(changed, ", "),
                                 "; nothing was rolled back"));
          return WithErrorMetadata(std::move(status), "changed", absl::StrJoin(changed, ","));
        }
        const ChangeContext context{.actor = access.actor(),
                                    .source = v1::IMPORT_ROLLBACK,
                                    .operation = batch.name(),
                                    .time = now_time};
        const google::protobuf::Timestamp time = TimestampFromDateTime(now);
        for (int64_t after = 0;;) {
          CRM_ASSIGN_OR_RETURN(db::Rows rows,
                               tx.Query(kChangesPage, {id, after, int64_t{kRollbackPage}}));
          if (rows.empty()) break;
          std::string ids = "[";
          for (size_t i = 0; i < rows.size(); ++i) {
            absl::StrAppend(&ids, i == 0 ? "" : ",", rows[i].Int(0));
          }
          ids += "]";
          CRM_ASSIGN_OR_RETURN(db::Rows current_rows,
                               tx.Query(absl::StrCat(sql::kSelectColumns, kCustomersIn), {ids}));
          std::map<int64_t, v1::Customer> current;
          for (const db::Row& row : current_rows) current[row.Int(0)] = CustomerFromRow(row);

          std::vector<int64_t> deleted;
          std::vector<v1::Customer> payloads;
          payloads.reserve(rows.size());
          std::vector<CustomerRef> restored;
          std::vector<HistoryRow> history;
          std::vector<std::vector<std::string>> paths;
          for (const db::Row& row : rows) {
            const int64_t customer = row.Int(0);
            const v1::Customer& now_value = current[customer];
            if (row.Int(1) != 0) {
              deleted.push_back(customer);
              payloads.push_back(now_value);
              history.push_back({.customer_id = customer,
                                 .action = v1::DELETED,
                                 .old_value = now_value.display_name()});
              paths.emplace_back();
              continue;
            }
            v1::Customer before;
            if (!before.ParseFromString(row.Str(2))) {
              return absl::InternalError("an import's before image does not parse");
            }
            CRM_RETURN_IF_ERROR(
                tx.Execute(sql::kUpdate, UpdateParams(before, now, customer)).status());
            for (HistoryRow& h : CustomerChanges(customer, now_value, before)) {
              history.push_back(std::move(h));
            }
            paths.push_back(ChangedTopLevelPaths(now_value, before));
            v1::Customer& payload = payloads.emplace_back(before);
            payload.set_etag(api::EtagFromVersion(row.Int(4) + 1));
            *payload.mutable_update_time() = time;
          }
          for (size_t i = 0; i < rows.size(); ++i) {
            if (rows[i].Int(1) == 0) restored.push_back({rows[i].Int(0), &payloads[i]});
          }
          CRM_RETURN_IF_ERROR(WriteChildren(tx, restored, /*is_new=*/false));
          CRM_RETURN_IF_ERROR(WriteCustomerDateRows(tx, restored, /*is_new=*/false));
          if (!deleted.empty()) {
            const std::string list = absl::StrCat("[", absl::StrJoin(deleted, ","), "]");
            CRM_RETURN_IF_ERROR(tx.Execute(kSoftDeleteIn, {list, now, now}).status());
            CRM_RETURN_IF_ERROR(search::RemoveDocuments(tx, CustomerIndex(), deleted));
          }
          std::vector<int64_t> reindex;
          for (const CustomerRef& ref : restored) reindex.push_back(ref.id);
          CRM_RETURN_IF_ERROR(IndexCustomers(tx, reindex));
          CRM_RETURN_IF_ERROR(WriteHistory(tx, context, history));
          std::vector<events::EventWithSnapshot> events;
          for (size_t i = 0; i < rows.size(); ++i) {
            const bool was_created = rows[i].Int(1) != 0;
            events.push_back(
                {.event = {.type = was_created ? kCustomerDeletedEvent : kCustomerUpdatedEvent,
                           .resource = payloads[i].name(),
                           .actor = access.actor(),
                           .changed_paths = paths[i]},
                 .snapshot = &payloads[i]});
          }
          CRM_RETURN_IF_ERROR(events::AppendAll(tx, events));
          if (rows.size() < static_cast<size_t>(kRollbackPage)) break;
          after = rows.back().Int(0);
        }
        CRM_RETURN_IF_ERROR(tx.Execute(kRollBackBatch, {int64_t{v1::ImportBatch::ROLLED_BACK}, now,
                                                        access.actor(), now, id})
                                .status());
        CRM_ASSIGN_OR_RETURN(db::Rows stored, tx.Query(kSelectBatch, {id}));
        result = BatchFromRow(stored[0], now_time);
        return events::Append(tx,
                              {.type = kImportBatchRolledBackEvent,
                               .resource = result.name(),
                               .actor = access.actor()},
                              result);
      });
}

}  // namespace crm::customers
