// CSV as RFC 4180 writes it, for exports that spreadsheets and other systems read back:
// fields separated by commas, records ended by CRLF, a field quoted with '"' when it holds a
// comma, a quote, CR or LF (a quote inside doubled). Text is passed through as UTF-8 bytes.
//
//   std::string out;
//   AppendCsvRecord(out, {"name", "notes"});
//   AppendCsvRecord(out, {"杭州云帆", "said \"call back\",\nnext week"});
//   // name,notes\r\n杭州云帆,"said ""call back"",\nnext week"\r\n
//
//   CsvReader reader(text);
//   std::vector<std::string> record;
//   while (reader.Next(&record)) { ... }   // reader.status() says why it stopped
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace crm {

// Appends one record (with its CRLF) to `out`.
void AppendCsvRecord(std::string& out, std::span<const std::string> fields);
void AppendCsvRecord(std::string& out, std::initializer_list<std::string_view> fields);

// Reads records from CSV text (RFC 4180; LF alone also ends a record, a UTF-8 byte-order
// mark at the start is skipped). A record that ends the text without a line end counts.
class CsvReader final {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // The next record's fields; false at the end of the text or at malformed input (a quote
  // that is not closed, or text after a closing quote), after which status() says what
  // and where.
  bool Next(std::vector<std::string>* fields);
  // The line the last record returned by Next() started on (1-based).
  int64_t record_line() const { return record_line_; }
  const absl::Status& status() const { return status_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  absl::Status status_;
};

}  // namespace crm
