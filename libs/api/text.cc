#include "libs/api/text.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace crm::api {

std::string Trim(std::string_view s) {
  static constexpr std::string_view kSpaces[] = {" ", "\t", "\n", "\r", "\u3000", "\u00a0"};
  for (bool changed = true; changed && !s.empty();) {
    changed = false;
    for (auto space : kSpaces) {
      if (s.starts_with(space)) {
        s.remove_prefix(space.size());
        changed = true;
      }
      if (s.ends_with(space)) {
        s.remove_suffix(space.size());
        changed = true;
      }
    }
  }
  return std::string(s);
}

size_t CodePoints(std::string_view utf8) {
  // Counts bytes that are not UTF-8 continuation bytes (10xxxxxx).
  return std::count_if(utf8.begin(), utf8.end(),
                       [](unsigned char c) { return (c & 0xC0) != 0x80; });
}

bool HasControlChars(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](unsigned char c) {
    if (allow_newlines && (c == '\n' || c == '\t' || c == '\r')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

bool ValidEmail(std::string_view email) {
  if (email.size() > 254) return false;
  auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= email.size()) return false;
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  for (unsigned char c : local) {
    if (!(absl::ascii_isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) !=
                                        std::string_view::npos)) {
      return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  // Domain: dot-separated labels of letters, digits and inner hyphens, at least two labels.
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (unsigned char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace crm::api
