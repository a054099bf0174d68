// A value bound to, or read from, a prepared statement. Timestamps travel as UTC strings
// "YYYY-MM-DD HH:MM:SS.ffffff" (DATETIME(6) columns); booleans and enums as integers.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace crm::db {

using Value = std::variant<std::monostate, int64_t, std::string>;  // monostate is SQL NULL

}  // namespace crm::db
