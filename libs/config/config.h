// Start-up configuration: every setting is a flag "--name=value" with an environment
// fallback CRM_<NAME> (upper case), then a default. Problems (unknown flags, values that
// do not parse or are out of range, missing required settings) are collected and reported
// together by Finish(), which exits the process with status 2: a server never starts on
// half-understood configuration.
//
//   crm::config::Flags flags(argc, argv, "customers");
//   int port = flags.Int("port", 50061, "gRPC listen port", 0, 65535);
//   std::string db_user = flags.Required("db_user", "database user");
//   absl::Duration keep = flags.Duration("outbox_retention", absl::Hours(168), "...",
//                                        absl::Minutes(1), absl::Hours(24 * 366));
//   flags.Finish();
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace crm::config {

class Flags final {
 public:
  Flags(int argc, const char* const* argv, std::string program);
  // For tests: flags from a list and environment lookups from a map (no real getenv).
  Flags(std::vector<std::string> args, std::map<std::string, std::string> env,
        std::string program);

  std::string String(std::string_view name, std::string_view default_value,
                     std::string_view help);
  // Empty values count as missing.
  std::string Required(std::string_view name, std::string_view help);
  int Int(std::string_view name, int default_value, std::string_view help, int min, int max);
  bool Bool(std::string_view name, bool default_value, std::string_view help);
  // A duration in Abseil's notation: "90s", "15m", "168h", "1h30m".
  absl::Duration Duration(std::string_view name, absl::Duration default_value,
                          std::string_view help, absl::Duration min, absl::Duration max);

  // The problems found so far, one line each.
  const std::vector<std::string>& problems() const { return problems_; }
  // Prints --help and exits 0 when asked; prints problems and exits 2 when there are any.
  void Finish();

 private:
  std::string Lookup(std::string_view name, bool* found);

  std::string program_;
  std::map<std::string, std::string, std::less<>> args_;
  std::map<std::string, std::string> env_;
  bool use_real_env_ = true;
  bool help_ = false;
  std::set<std::string, std::less<>> known_;
  std::vector<std::string> usage_;
  std::vector<std::string> problems_;
};

}  // namespace crm::config
