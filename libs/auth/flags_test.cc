// ReadAuthFlags: defaults, overrides from flags and CRM_* variables, and range checks.
#include "libs/auth/flags.h"

#include <gtest/gtest.h>

namespace crm::auth {
namespace {

TEST(AuthFlags, Defaults) {
  config::Flags flags(std::vector<std::string>{}, {}, "svc");
  AuthClientOptions options = ReadAuthFlags(flags);
  EXPECT_EQ(options.target, "127.0.0.1:50062");
  EXPECT_EQ(options.verifier.revocation_poll, absl::Seconds(1));
  EXPECT_EQ(options.service_secret, "");
  EXPECT_TRUE(flags.problems().empty());
}

TEST(AuthFlags, FlagsAndEnvironment) {
  config::Flags flags({"--revocation_poll_ms=250"},
                      {{"CRM_AUTH_TARGET", "auth:50062"}, {"CRM_SERVICE_SECRET", "s3cr3t"}}, "svc");
  AuthClientOptions options = ReadAuthFlags(flags);
  EXPECT_EQ(options.target, "auth:50062");
  EXPECT_EQ(options.verifier.revocation_poll, absl::Milliseconds(250));
  EXPECT_EQ(options.service_secret, "s3cr3t");
}

TEST(AuthFlags, PollIntervalOutOfRangeIsAProblem) {
  config::Flags flags({"--revocation_poll_ms=5"}, {}, "svc");
  ReadAuthFlags(flags);
  EXPECT_EQ(flags.problems().size(), 1u);
}

}  // namespace
}  // namespace crm::auth
