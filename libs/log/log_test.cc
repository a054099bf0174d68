#include "libs/log/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "libs/log/trace.h"

namespace crm::log {
namespace {

TEST(JsonQuote, EscapesWhatJsonRequiresAndKeepsUtf8) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd"), R"("a\"b\\c\nd")");
  EXPECT_EQ(JsonQuote(std::string("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(JsonQuote("杭州"), "\"杭州\"");
}

TEST(ScopedRequestId, SetsAndRestoresTheThreadsId) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    ScopedRequestId outer("r-1");
    EXPECT_EQ(CurrentRequestId(), "r-1");
    {
      ScopedRequestId inner("r-2");
      EXPECT_EQ(CurrentRequestId(), "r-2");
    }
    EXPECT_EQ(CurrentRequestId(), "r-1");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

// The line Info writes, read back from stderr.
std::string LoggedLine(std::string_view message) {
  ::testing::internal::CaptureStderr();
  Info(message);
  return ::testing::internal::GetCapturedStderr();
}

TEST(ScopedTrace, PutsTheTraceBesideTheRequestIdOnEveryLineAndRestoresIt) {
  EXPECT_EQ(LoggedLine("outside").find("trace_id"), std::string::npos);
  ScopedRequestId request("r-7");
  {
    ScopedTrace trace({.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                       .span_id = "00f067aa0ba902b7",
                       .sampled = true});
    EXPECT_EQ(CurrentTrace().span_id, "00f067aa0ba902b7");
    const std::string line = LoggedLine("inside");
    EXPECT_NE(line.find(R"("request_id":"r-7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
                        R"("span_id":"00f067aa0ba902b7")"),
              std::string::npos)
        << line;
  }
  EXPECT_TRUE(CurrentTrace().empty());
  EXPECT_EQ(LoggedLine("after").find("trace_id"), std::string::npos);
}

}  // namespace
}  // namespace crm::log
