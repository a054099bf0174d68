// Limits of the filter language, shared by the compiler (filter_parser.cc, which defines
// crm::api::CompileFilter from query.h) and its tests. See README.md for the grammar.
#pragma once

#include <cstddef>

namespace crm::api::internal {

// Counted in Unicode code points, so a Chinese filter gets the same room as an English one.
inline constexpr size_t kMaxFilterChars = 2000;
// Parentheses and NOT each open a level; bounds the parser's recursion as well as cost.
inline constexpr int kMaxFilterDepth = 32;
// Each comparison becomes one predicate in the WHERE clause.
inline constexpr int kMaxFilterComparisons = 50;

}  // namespace crm::api::internal
