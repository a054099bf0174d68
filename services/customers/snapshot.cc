#include "services/customers/snapshot.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/grpc/status.h"

namespace crm::customers {
namespace {

// Each table, its stored columns (generated ones left out: the database recomputes them) and
// the column that says which customer a row belongs to.
struct TableSpec {
  const char* name;
  const char* columns;
  size_t column_count;
  const char* customer_column;
};
constexpr TableSpec kTables[] = {
    {"customers",
     "id, version, display_name, kind, industry, size_band, country, province, city, address, "
     "tags, emails, phones, source, owner, creator, notes, create_time, update_time, "
     "delete_time, external_id, company_match_key, dates, merged_into, derived_version",
     25, "id"},
    {"customer_tags", "customer_id, tag", 2, "customer_id"},
    {"customer_emails", "customer_id, email", 2, "customer_id"},
    {"customer_phones", "customer_id, phone", 2, "customer_id"},
    {"contacts",
     "id, customer_id, version, display_name, title, department, phones, emails, dates, notes, "
     "is_primary, creator, create_time, update_time, delete_time",
     15, "customer_id"},
    {"relationship_dates",
     "id, customer_id, contact_id, position, kind, label, calendar, year, month, day, "
     "leap_month, yearly",
     12, "customer_id"},
};
constexpr size_t kTableCount = sizeof(kTables) / sizeof(kTables[0]);

std::string IdsIn(std::span<const int64_t> ids) {
  return absl::StrCat(" IN (", absl::StrJoin(std::vector<std::string>(ids.size(), "?"), ", "),
                      ")");
}

std::vector<db::Value> IdValues(std::span<const int64_t> ids) {
  return std::vector<db::Value>(ids.begin(), ids.end());
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<RowSnapshot> RowSnapshot::Take(db::Session& tx,
                                              std::span<const int64_t> customer_ids) {
  RowSnapshot snapshot;
  for (const TableSpec& table : kTables) {
    // Every row in a fixed order, locked so nothing changes them before the caller's writes.
    CRM_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(absl::StrCat("SELECT ", table.columns, " FROM ", table.name, " WHERE ",
                              table.customer_column, IdsIn(customer_ids), " ORDER BY ",
                              table.columns, " FOR UPDATE"),
                 IdValues(customer_ids)));
    snapshot.tables_.push_back(std::move(rows));
  }
  return snapshot;
}

absl::Status RowSnapshot::Restore(db::Session& tx, std::span<const int64_t> customer_ids) const {
  if (tables_.size() != kTableCount) return absl::InternalError("snapshot of the wrong tables");
  for (size_t t = 0; t < kTableCount; ++t) {
    const TableSpec& table = kTables[t];
    CRM_RETURN_IF_ERROR(tx.Execute(absl::StrCat("DELETE FROM ", table.name, " WHERE ",
                                                 table.customer_column, IdsIn(customer_ids)),
                                   IdValues(customer_ids))
                            .status());
    const std::string insert = absl::StrCat(
        "INSERT INTO ", table.name, " (", table.columns, ") VALUES (",
        absl::StrJoin(std::vector<std::string>(table.column_count, "?"), ", "), ")");
    for (const db::Row& row : tables_[t]) {
      if (row.size() != table.column_count) return absl::InternalError("snapshot row width");
      std::vector<db::Value> values;
      values.reserve(row.size());
      for (size_t i = 0; i < row.size(); ++i) values.push_back(row.at(i));
      CRM_RETURN_IF_ERROR(tx.Execute(insert, values).status());
    }
  }
  return absl::OkStatus();
}

std::string RowSnapshot::Encode() const {
  std::string out;
  PutVarint(out, tables_.size());
  for (const std::vector<db::Row>& rows : tables_) {
    PutVarint(out, rows.size());
    for (const db::Row& row : rows) {
      PutVarint(out, row.size());
      for (size_t i = 0; i < row.size(); ++i) {
        const db::Value& value = row.at(i);
        if (const auto* number = std::get_if<int64_t>(&value)) {
          out.push_back('I');
          PutVarint(out, static_cast<uint64_t>(*number));
        } else if (const auto* text = std::get_if<std::string>(&value)) {
          out.push_back('S');
          PutVarint(out, text->size());
          out.append(*text);
        } else {
          out.push_back('N');
        }
      }
    }
  }
  return out;
}

absl::StatusOr<RowSnapshot> RowSnapshot::Decode(std::string_view in) {
  const absl::Status corrupt = absl::InternalError("a stored snapshot does not decode");
  RowSnapshot snapshot;
  uint64_t tables = 0;
  if (!GetVarint(in, &tables) || tables != kTableCount) return corrupt;
  for (uint64_t t = 0; t < tables; ++t) {
    uint64_t count = 0;
    if (!GetVarint(in, &count)) return corrupt;
    std::vector<db::Row> rows;
    for (uint64_t r = 0; r < count; ++r) {
      uint64_t width = 0;
      if (!GetVarint(in, &width) || width > 64) return corrupt;
      std::vector<db::Value> values;
      for (uint64_t c = 0; c < width; ++c) {
        if (in.empty()) return corrupt;
        const char tag = in.front();
        in.remove_prefix(1);
        uint64_t v = 0;
        if (tag == 'N') {
          values.emplace_back(std::monostate{});
        } else if (tag == 'I' && GetVarint(in, &v)) {
          values.emplace_back(static_cast<int64_t>(v));
        } else if (tag == 'S' && GetVarint(in, &v) && v <= in.size()) {
          values.emplace_back(std::string(in.substr(0, v)));
          in.remove_prefix(v);
        } else {
          return corrupt;
        }
      }
      rows.emplace_back(std::move(values));
    }
    snapshot.tables_.push_back(std::move(rows));
  }
  if (!in.empty()) return corrupt;
  return snapshot;
}

}  // namespace crm::customers
