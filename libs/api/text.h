// Text rules every service applies to what people type: trimming, length in characters,
// control characters, e-mail addresses. One definition, so a value accepted by one service
// is accepted by the others.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crm::api {

// Removes white space people paste around names, including the ideographic and
// no-break spaces.
std::string Trim(std::string_view s);

// Length in Unicode code points of valid UTF-8 (what limits "N characters" count).
size_t CodePoints(std::string_view utf8);

// ASCII control characters (and DEL); tab, CR and LF count only unless `allow_newlines`.
bool HasControlChars(std::string_view s, bool allow_newlines = false);

// A practical e-mail address: at most 254 characters; a local part of at most 64 letters,
// digits and RFC 5322 atext symbols, without leading, trailing or doubled dots; a domain of
// two or more dot-separated labels of letters, digits and inner hyphens.
bool ValidEmail(std::string_view email);

}  // namespace crm::api
