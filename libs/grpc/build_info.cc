#include "libs/grpc/build_info.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace crm {
namespace internal {
// Defined in the generated build_version.cc (build_version.cmake).
extern const char kBuildVersion[];
extern const char kBuildCompiler[];
extern const char kBuildType[];
}  // namespace internal

const BuildInfo& CurrentBuild() {
  static const BuildInfo info{internal::kBuildVersion, internal::kBuildCompiler,
                              internal::kBuildType};
  return info;
}

void RegisterBuildInfo(prometheus::Registry& registry, std::string_view service) {
  const BuildInfo& build = CurrentBuild();
  prometheus::BuildGauge()
      .Name("crm_build_info")
      .Help("Always 1; the labels say which build of which service this process runs.")
      .Register(registry)
      .Add({{"service", std::string(service)},
            {"version", std::string(build.version)},
            {"compiler", std::string(build.compiler)},
            {"build_type", std::string(build.build_type)}})
      .Set(1);
}

}  // namespace crm
