#include "libs/config/config.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crm::config {
namespace {

std::string EnvName(std::string_view flag) {
  return "CRM_" + absl::AsciiStrToUpper(std::string(flag));
}

}  // namespace

Flags::Flags(int argc, const char* const* argv, std::string program)
    : Flags(std::vector<std::string>(argv + 1, argv + argc), {}, std::move(program)) {
  use_real_env_ = true;
}

Flags::Flags(std::vector<std::string> args, std::map<std::string, std::string> env,
             std::string program)
    : program_(std::move(program)), env_(std::move(env)), use_real_env_(false) {
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      problems_.push_back("unexpected argument \"" + arg + "\" (flags are --name=value)");
      continue;
    }
    auto eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    // A bare "--flag" means true, for booleans such as --migrate_only.
    args_[name] = eq == std::string::npos ? "true" : arg.substr(eq + 1);
  }
}

std::string Flags::Lookup(std::string_view name, bool* found) {
  known_.insert(std::string(name));
  if (auto it = args_.find(name); it != args_.end()) {
    *found = true;
    return it->second;
  }
  std::string env = EnvName(name);
  if (use_real_env_) {
    if (const char* v = std::getenv(env.c_str()); v != nullptr) {
      *found = true;
      return v;
    }
  } else if (auto it = env_.find(env); it != env_.end()) {
    *found = true;
    return it->second;
  }
  *found = false;
  return "";
}

std::string Flags::String(std::string_view name, std::string_view default_value,
                          std::string_view help) {
  usage_.push_back(absl::StrCat("  --", std::string(name), " (", EnvName(name), ", default \"", std::string(default_value),
                                "\"): ", std::string(help)));
  bool found = false;
  std::string v = Lookup(name, &found);
  return found ? v : std::string(default_value);
}

std::string Flags::Required(std::string_view name, std::string_view help) {
  usage_.push_back(absl::StrCat("  --", std::string(name), " (", EnvName(name), ", required): ", std::string(help)));
  bool found = false;
  std::string v = Lookup(name, &found);
  if (v.empty()) problems_.push_back(absl::StrCat("--", std::string(name), " (or ", EnvName(name), ") is required: ", std::string(help)));
  return v;
}

int Flags::Int(std::string_view name, int default_value, std::string_view help, int min,
               int max) {
  usage_.push_back(absl::StrCat("  --", std::string(name), " (", EnvName(name), ", default ", default_value,
                                ", ", min, "..", max, "): ", std::string(help)));
  bool found = false;
  std::string v = Lookup(name, &found);
  if (!found) return default_value;
  int out = 0;
  if (!absl::SimpleAtoi(v, &out) || out < min || out > max) {
    problems_.push_back(absl::StrCat("--", std::string(name), "=\"", v, "\" must be an integer in ", min, "..",
                                     max));
    return default_value;
  }
  return out;
}

bool Flags::Bool(std::string_view name, bool default_value, std::string_view help) {
  usage_.push_back(absl::StrCat("  --", std::string(name), " (", EnvName(name), ", default ",
                                default_value ? "true" : "false", "): ", std::string(help)));
  bool found = false;
  std::string v = Lookup(name, &found);
  if (!found) return default_value;
  bool out = false;
  if (!absl::SimpleAtob(v, &out)) {
    problems_.push_back(absl::StrCat("--", std::string(name), "=\"", v, "\" must be true or false"));
    return default_value;
  }
  return out;
}

absl::Duration Flags::Duration(std::string_view name, absl::Duration default_value,
                               std::string_view help, absl::Duration min, absl::Duration max) {
  usage_.push_back(absl::StrCat("  --", std::string(name), " (", EnvName(name), ", default ",
                                absl::FormatDuration(default_value), ", ",
                                absl::FormatDuration(min), "..", absl::FormatDuration(max),
                                "): ", std::string(help)));
  bool found = false;
  std::string v = Lookup(name, &found);
  if (!found) return default_value;
  absl::Duration out;
  if (!absl::ParseDuration(v, &out) || out < min || out > max) {
    problems_.push_back(absl::StrCat("--", std::string(name), "=\"", v,
                                     "\" must be a duration (e.g. 90s, 15m, 168h) in ",
                                     absl::FormatDuration(min), "..", absl::FormatDuration(max)));
    return default_value;
  }
  return out;
}

void Flags::Finish() {
  for (const auto& [name, value] : args_) {
    if (!known_.contains(name)) problems_.push_back("unknown flag --" + name);
  }
  if (help_) {
    std::fprintf(stdout, "usage: %s [--flag=value ...]\n", program_.c_str());
    for (const auto& line : usage_) std::fprintf(stdout, "%s\n", line.c_str());
    std::exit(0);
  }
  if (problems_.empty()) return;
  std::fprintf(stderr, "%s: bad configuration:\n", program_.c_str());
  for (const auto& p : problems_) std::fprintf(stderr, "  %s\n", p.c_str());
  std::fprintf(stderr, "run with --help for every setting\n");
  std::exit(2);
}

}  // namespace crm::config
