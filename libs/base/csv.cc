#include "libs/base/csv.h"

#include "absl/strings/str_cat.h"

namespace crm {
namespace {

void AppendField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

void AppendCsvRecord(std::string& out, std::span<const std::string> fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendField(out, fields[i]);
  }
  out.append("\r\n");
}

void AppendCsvRecord(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendField(out, field);
  }
  out.append("\r\n");
}

bool CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  if (!status_.ok()) return false;
  if (pos_ == 0 && text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  while (true) {
    if (pos_ < text_.size() && text_[pos_] == '"') {
      // A quoted field: up to the closing quote, "" being one quote.
      const int64_t opened = line_;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          status_ = absl::InvalidArgumentError(
              absl::StrCat("line ", opened, ": a quoted field is not closed"));
          return false;
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
          text_[pos_] != '\n') {
        status_ = absl::InvalidArgumentError(
            absl::StrCat("line ", line_, ": text after the closing quote of a field"));
        return false;
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
             text_[pos_] != '\n') {
        field.push_back(text_[pos_++]);
      }
    }
    fields->push_back(std::move(field));
    field.clear();
    if (pos_ >= text_.size()) return true;
    const char end = text_[pos_++];
    if (end == ',') continue;
    if (end == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace crm
