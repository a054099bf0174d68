#include "libs/db/json.h"

#include "absl/strings/str_cat.h"

namespace crm::db {

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

JsonRows& JsonRows::Row() {
  if (row_open_) json_.push_back(']');
  if (rows_ > 0) json_.push_back(',');
  json_.push_back('[');
  ++rows_;
  row_open_ = true;
  row_empty_ = true;
  return *this;
}

void JsonRows::Separate() {
  if (!row_empty_) json_.push_back(',');
  row_empty_ = false;
}

JsonRows& JsonRows::Add(std::string_view text) {
  Separate();
  AppendJsonString(json_, text);
  return *this;
}

JsonRows& JsonRows::Add(int64_t number) {
  Separate();
  absl::StrAppend(&json_, number);
  return *this;
}

std::string JsonRows::Take() {
  if (row_open_) json_.push_back(']');
  json_.push_back(']');
  std::string out = std::move(json_);
  json_ = "[";
  rows_ = 0;
  row_open_ = false;
  row_empty_ = true;
  return out;
}

}  // namespace crm::db
