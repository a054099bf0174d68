#include "libs/base/ttl_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace crm {
namespace {

TEST(TtlCacheTest, KeepsAnAnswerForItsTimeToLiveAndNeverAFailure) {
  FakeClock clock;
  TtlCache<std::string> cache(absl::Seconds(30), clock);
  int asked = 0;
  std::string answer = "users/10";
  absl::Status failure = absl::OkStatus();
  auto fetch = [&]() -> absl::StatusOr<std::string> {
    ++asked;
    if (!failure.ok()) return failure;
    return answer;
  };

  EXPECT_EQ(*cache.Get("users/11", fetch), "users/10");
  answer = "users/20";  // the source changed; the kept answer stands for 30 s
  clock.Advance(absl::Seconds(29));
  EXPECT_EQ(*cache.Get("users/11", fetch), "users/10");
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(*cache.Get("users/12", fetch), "users/20");  // another key asks for itself
  EXPECT_EQ(asked, 2);

  clock.Advance(absl::Seconds(1));
  failure = absl::UnavailableError("auth is down");
  EXPECT_EQ(cache.Get("users/11", fetch).status().code(), absl::StatusCode::kUnavailable);
  failure = absl::OkStatus();
  EXPECT_EQ(*cache.Get("users/11", fetch), "users/20");  // asked again, not the failure
  EXPECT_EQ(asked, 4);
}

}  // namespace
}  // namespace crm
