#include "libs/base/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crm {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view text, absl::Status* status) {
  CsvReader reader(text);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  while (reader.Next(&record)) records.push_back(record);
  *status = reader.status();
  return records;
}

TEST(CsvTest, QuotesOnlyFieldsThatNeedIt) {
  std::string out;
  AppendCsvRecord(out, {"杭州云帆", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", ""});
  EXPECT_EQ(out, "杭州云帆,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\r\n");
}

TEST(CsvTest, WhatIsWrittenReadsBackTheSame) {
  const std::vector<std::string> fields = {"x", "a,b", "\"", "two\r\nlines", "", "末尾"};
  std::string out;
  AppendCsvRecord(out, fields);
  AppendCsvRecord(out, {"second"});
  absl::Status status;
  auto records = ReadAll(out, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], fields);
  EXPECT_EQ(records[1], std::vector<std::string>{"second"});
}

TEST(CsvTest, ReadsLfLineEndsABomAndALastRecordWithoutLineEnd) {
  absl::Status status;
  auto records = ReadAll("\xEF\xBB\xBF" "a,b\nc,\"d\"\n\"e\nf\",g", &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(records[2], (std::vector<std::string>{"e\nf", "g"}));
}

TEST(CsvTest, CountsLinesAcrossQuotedLineBreaks) {
  CsvReader reader("h\n\"a\nb\",c\nlast\n");
  std::vector<std::string> record;
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_EQ(reader.record_line(), 1);
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_EQ(reader.record_line(), 2);
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_EQ(reader.record_line(), 4);
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_TRUE(reader.status().ok());
}

TEST(CsvTest, MalformedInputStopsWithTheLine) {
  absl::Status status;
  ReadAll("a\n\"open,b\n", &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 2"), std::string_view::npos) << status;
  ReadAll("\"a\"b,c\n", &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm
