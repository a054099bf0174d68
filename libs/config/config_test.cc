#include "libs/config/config.h"

#include <gtest/gtest.h>

namespace crm::config {
namespace {

TEST(Flags, FlagBeatsEnvironmentWhichBeatsDefault) {
  Flags flags({"--port=7000"}, {{"CRM_PORT", "8000"}, {"CRM_DB_NAME", "crm_x"}}, "svc");
  EXPECT_EQ(flags.Int("port", 1, "", 0, 65535), 7000);
  EXPECT_EQ(flags.String("db_name", "crm_default", ""), "crm_x");
  EXPECT_EQ(flags.String("db_user", "crm", ""), "crm");
  EXPECT_TRUE(flags.problems().empty());
}

TEST(Flags, CollectsEveryProblem) {
  Flags flags({"--port=70000", "--verbose=maybe", "--colour=red", "stray"}, {}, "svc");
  flags.Int("port", 1, "", 0, 65535);
  flags.Bool("verbose", false, "");
  flags.Required("db_password", "the password");
  // Unknown flags are only known once every setting has been declared, at Finish();
  // here: the bad port, the bad bool, the missing password and the stray argument.
  EXPECT_EQ(flags.problems().size(), 4u);
}

TEST(Flags, BareBooleanFlagMeansTrue) {
  Flags flags({"--migrate_only"}, {}, "svc");
  EXPECT_TRUE(flags.Bool("migrate_only", false, ""));
}

TEST(Flags, EmptyRequiredValueIsMissing) {
  Flags flags({}, {{"CRM_DB_PASSWORD", ""}}, "svc");
  EXPECT_EQ(flags.Required("db_password", ""), "");
  EXPECT_EQ(flags.problems().size(), 1u);
}

TEST(Flags, DurationsUseAbseilNotationWithinBounds) {
  Flags flags({"--keep=36h", "--short=5s", "--bad=7d"}, {{"CRM_POLL", "250ms"}}, "svc");
  EXPECT_EQ(flags.Duration("keep", absl::Hours(1), "", absl::Minutes(1), absl::Hours(1000)),
            absl::Hours(36));
  EXPECT_EQ(flags.Duration("poll", absl::Seconds(1), "", absl::Milliseconds(1), absl::Hours(1)),
            absl::Milliseconds(250));
  EXPECT_EQ(flags.Duration("absent", absl::Hours(168), "", absl::Minutes(1), absl::Hours(1000)),
            absl::Hours(168));
  EXPECT_TRUE(flags.problems().empty());
  // Below the minimum, and a unit Abseil does not know: both reported, defaults kept.
  EXPECT_EQ(flags.Duration("short", absl::Hours(1), "", absl::Minutes(1), absl::Hours(1000)),
            absl::Hours(1));
  EXPECT_EQ(flags.Duration("bad", absl::Hours(2), "", absl::Minutes(1), absl::Hours(1000)),
            absl::Hours(2));
  EXPECT_EQ(flags.problems().size(), 2u);
}

}  // namespace
}  // namespace crm::config
