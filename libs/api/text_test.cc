#include "libs/api/text.h"

#include <gtest/gtest.h>

namespace crm::api {
namespace {

TEST(TextTest, TrimsPastedSpacesIncludingIdeographic) {
  EXPECT_EQ(Trim("\u3000 王芳\u00a0\t"), "王芳");
  EXPECT_EQ(Trim("  "), "");
}

TEST(TextTest, CountsCharactersNotBytes) {
  EXPECT_EQ(CodePoints("杭州"), 2u);
  EXPECT_EQ(CodePoints("abc"), 3u);
}

TEST(TextTest, ControlCharactersAndNewlines) {
  EXPECT_TRUE(HasControlChars("a\nb"));
  EXPECT_FALSE(HasControlChars("a\nb", /*allow_newlines=*/true));
  EXPECT_TRUE(HasControlChars(std::string("a\x01", 2), true));
}

TEST(TextTest, OneEmailRuleForEveryService) {
  for (const char* good : {"wang.fang@example.com", "a+b@mail.example.cn"}) {
    EXPECT_TRUE(ValidEmail(good)) << good;
  }
  for (const char* bad : {"a@b", "a@@b.cn", "@example.com", "user@", "two words@x.cn",
                          ".a@x.cn", "a..b@x.cn", "a@-x.cn"}) {
    EXPECT_FALSE(ValidEmail(bad)) << bad;
  }
  EXPECT_FALSE(ValidEmail(std::string(60, 'a') + "@" + std::string(190, 'b') + ".cn"));
}

}  // namespace
}  // namespace crm::api
