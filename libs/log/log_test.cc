#include "libs/log/log.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace crm::log
