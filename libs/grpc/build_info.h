// What this binary is: the source version it was built from and how. Every server exports it
// as crm_build_info{service,version,compiler,build_type} 1 (ServerRunner registers it), so a
// dashboard or an alert can tell which build each replica runs.
//
// The version is `git describe --tags --always --dirty` of the source tree, taken at build
// time by libs/grpc/build_version.cmake into a generated file that is rewritten only when
// the text changes: a new commit recompiles that one file and relinks, nothing else. A
// build outside a git checkout (a tarball, the Docker build, which leaves .git out) says
// "unknown" unless CMake is given -DCRM_VERSION=<text>.
#pragma once

#include <string_view>

namespace prometheus {
class Registry;
}

namespace crm {

struct BuildInfo {
  std::string_view version;     // "v1.2-3-gabc1234", "abc1234-dirty" or "unknown"
  std::string_view compiler;    // "GNU 12.2.0"
  std::string_view build_type;  // "RelWithDebInfo", "Release", ...
};

const BuildInfo& CurrentBuild();

// Registers crm_build_info{service=`service`, version, compiler, build_type} = 1.
void RegisterBuildInfo(prometheus::Registry& registry, std::string_view service);

}  // namespace crm
