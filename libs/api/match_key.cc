#include "libs/api/match_key.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <vector>

namespace crm::api {
namespace {

constexpr std::array<std::u32string_view, 4> kChineseSuffixes = {U"股份有限公司", U"有限责任公司",
                                                                 U"有限公司", U"公司"};
constexpr std::array<std::u32string_view, 19> kLatinSuffixes = {
    U"co",  U"company", U"corp",  U"corporation", U"inc", U"incorporated", U"ltd",
    U"limited", U"llc", U"plc",   U"gmbh",        U"ag",  U"sa",           U"s.a",
    U"bv",  U"nv",      U"pte",   U"pty",         U"kk"};

std::u32string Folded(std::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCCasefoldInstance(error);
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString folded = U_SUCCESS(error) ? normalizer->normalize(source, error) : source;
  if (U_FAILURE(error)) folded = source;
  std::u32string out;
  out.reserve(folded.length());
  for (int32_t i = 0; i < folded.length(); i = folded.moveIndex32(i, 1)) {
    out.push_back(static_cast<char32_t>(folded.char32At(i)));
  }
  return out;
}

bool Kept(char32_t c) {
  const auto cp = static_cast<UChar32>(c);
  return u_isalnum(cp) || u_getIntPropertyValue(cp, UCHAR_GENERAL_CATEGORY_MASK) & U_GC_M_MASK;
}

bool IsLatinLetter(char32_t c) { return c < 0x80 && u_isalpha(static_cast<UChar32>(c)); }

// Drops separators (anything not kept) from the end.
void TrimSeparators(std::u32string& text) {
  while (!text.empty() && !Kept(text.back())) text.pop_back();
}

// Removes one suffix from the end of `text` (separators already trimmed); false when none.
bool StripSuffix(std::u32string& text) {
  for (std::u32string_view suffix : kChineseSuffixes) {
    if (text.ends_with(suffix)) {
      text.resize(text.size() - suffix.size());
      return true;
    }
  }
  // The last Latin word, inner dots allowed ("s.a"). A digit before it makes it part of a
  // code ("a2co"), not a word.
  size_t start = text.size();
  while (start > 0 && (IsLatinLetter(text[start - 1]) || text[start - 1] == U'.')) --start;
  if (start == text.size()) return false;
  if (start > 0 && u_isdigit(static_cast<UChar32>(text[start - 1]))) return false;
  std::u32string_view word(text.data() + start, text.size() - start);
  while (!word.empty() && word.front() == U'.') word.remove_prefix(1);
  for (std::u32string_view suffix : kLatinSuffixes) {
    if (word == suffix) {
      text.resize(start);
      return true;
    }
  }
  return false;
}

void AppendUtf8(std::string& out, char32_t c) {
  icu::UnicodeString one(static_cast<UChar32>(c));
  one.toUTF8String(out);
}

}  // namespace

std::string CompanyMatchKey(std::string_view display_name) {
  std::u32string text = Folded(display_name);
  TrimSeparators(text);
  while (true) {
    std::u32string shorter = text;
    if (!StripSuffix(shorter)) break;
    TrimSeparators(shorter);
    bool any = false;
    for (char32_t c : shorter) any = any || Kept(c);
    if (!any) break;  // keep the last suffix rather than an empty key
    text = std::move(shorter);
  }
  std::string key;
  for (char32_t c : text) {
    if (Kept(c)) AppendUtf8(key, c);
  }
  return key;
}

}  // namespace crm::api
