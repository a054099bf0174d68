// Helpers private to libs/api.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace crm::api::internal {

// Debian's Abseil is built with its own absl::string_view, which does not convert from
// std::string_view; this bridges the two without copying.
inline absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view AsStd(absl::string_view s) { return {s.data(), s.size()}; }

// INVALID_ARGUMENT with ErrorInfo `reason` (INVALID_FILTER, INVALID_PAGE_TOKEN, ...) and
// one BadRequest violation {field, description}. The message ("invalid <field>:
// <description>") is what the client sees.
absl::Status InvalidInput(std::string_view reason, std::string_view field,
                          std::string_view description);

}  // namespace crm::api::internal
