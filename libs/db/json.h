// Many rows in one statement parameter: a JSON array that MariaDB's JSON_TABLE turns back into
// rows, so a bulk insert is one prepared statement whatever the number of rows
// ("INSERT INTO t (a, b) SELECT j.a, j.b FROM JSON_TABLE(?, '$[*]' COLUMNS (a BIGINT PATH
// '$[0]', b VARCHAR(64) PATH '$[1]')) j"). Values stay bound parameters: text is escaped as
// JSON, never spliced into SQL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crm::db {

// Appends `text` as a JSON string literal (quotes, backslashes and control characters
// escaped; other UTF-8 bytes as they are).
void AppendJsonString(std::string& out, std::string_view text);

// Builds "[[...],[...]]" one row and one value at a time.
class JsonRows final {
 public:
  JsonRows() : json_("[") {}
  // Starts the next row.
  JsonRows& Row();
  JsonRows& Add(std::string_view text);
  JsonRows& Add(int64_t number);
  bool empty() const { return rows_ == 0; }
  size_t rows() const { return rows_; }
  // The JSON text; the builder is empty afterwards.
  std::string Take();

 private:
  void Separate();
  std::string json_;
  size_t rows_ = 0;
  bool row_open_ = false;
  bool row_empty_ = true;
};

}  // namespace crm::db
