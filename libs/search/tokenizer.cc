#include "libs/search/tokenizer.h"

#include <phonenumbers/phonenumberutil.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::search {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Characters that may stand between the digit groups of one number: "+86 (571) 8888-6666".
constexpr std::u32string_view kNumberSeparators = U" -.()/+\u2010\u2011\u2012\u2013\u2014";
constexpr size_t kMaxSeparatorRun = 3;

struct Run {
  enum Kind { kCjk, kWord, kNumber } kind;
  std::u32string chars;  // normalised code points; ASCII digits for numbers
  bool plus = false;     // a number written after '+' (international form)
};

bool IsCjk(UChar32 c) {
  if (!u_isalpha(c)) return false;  // not the CJK punctuation ("、", "。")
  // Script extensions, so that "ー" and "々" (script Common) join their neighbours.
  for (UScriptCode script : {USCRIPT_HAN, USCRIPT_HIRAGANA, USCRIPT_KATAKANA, USCRIPT_HANGUL}) {
    if (uscript_hasScript(c, script)) return true;
  }
  return false;
}

bool IsWordChar(UChar32 c) {
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0 && !IsCjk(c);
}

// The digit as ASCII for any decimal digit (NFKC already turned full-width ones to ASCII).
char32_t AsciiDigit(UChar32 c) { return U'0' + u_charDigitValue(c); }

void AppendUtf8(std::string& out, std::u32string_view chars) {
  for (char32_t c : chars) {
    char buffer[U8_MAX_LENGTH];
    int32_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, static_cast<UChar32>(c));
    out.append(buffer, length);
  }
}

std::string Utf8(std::u32string_view chars) {
  std::string out;
  AppendUtf8(out, chars);
  return out;
}

std::u32string NormalizedCodePoints(std::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCCasefoldInstance(error);
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString normalized = U_SUCCESS(error) ? normalizer->normalize(source, error) : source;
  if (U_FAILURE(error)) normalized = source;  // only on ICU data errors: keep the text as is
  std::u32string out;
  out.reserve(normalized.length());
  for (int32_t i = 0; i < normalized.length(); i = normalized.moveIndex32(i, 1)) {
    out.push_back(static_cast<char32_t>(normalized.char32At(i)));
  }
  return out;
}

// Splits normalised text into CJK runs, numbers and words (tokenizer.h).
std::vector<Run> Segment(std::u32string_view text) {
  std::vector<Run> runs;
  size_t i = 0;
  while (i < text.size()) {
    const UChar32 c = static_cast<UChar32>(text[i]);
    if (IsCjk(c)) {
      size_t end = i;
      while (end < text.size() && IsCjk(static_cast<UChar32>(text[end]))) ++end;
      runs.push_back({Run::kCjk, std::u32string(text.substr(i, end - i))});
      i = end;
      continue;
    }
    if (!IsWordChar(c)) {
      ++i;
      continue;
    }
    size_t end = i;
    bool digits_only = true;
    while (end < text.size() && IsWordChar(static_cast<UChar32>(text[end]))) {
      digits_only = digits_only && u_isdigit(static_cast<UChar32>(text[end]));
      ++end;
    }
    if (!digits_only) {
      runs.push_back(
          {Run::kWord, std::u32string(text.substr(i, std::min(end - i, kMaxWordChars)))});
      i = end;
      continue;
    }
    Run number{Run::kNumber, {}, i > 0 && text[i - 1] == U'+'};
    for (size_t k = i; k < end; ++k) number.chars.push_back(AsciiDigit(text[k]));
    i = end;
    // Join the following digit groups of the same number, as long as each is all digits.
    while (true) {
      size_t next = i;
      while (next < text.size() && next - i < kMaxSeparatorRun &&
             kNumberSeparators.find(text[next]) != std::u32string_view::npos) {
        ++next;
      }
      if (next == i || next >= text.size() || !u_isdigit(static_cast<UChar32>(text[next]))) break;
      size_t group_end = next;
      bool group_digits = true;
      while (group_end < text.size() && IsWordChar(static_cast<UChar32>(text[group_end]))) {
        group_digits = group_digits && u_isdigit(static_cast<UChar32>(text[group_end]));
        ++group_end;
      }
      if (!group_digits) break;
      for (size_t k = next; k < group_end; ++k) number.chars.push_back(AsciiDigit(text[k]));
      i = group_end;
    }
    // Over-long runs (account numbers, ids) are indexed in pieces of kMaxNumberDigits.
    for (size_t start = 0; start < number.chars.size(); start += kMaxNumberDigits) {
      runs.push_back(
          {Run::kNumber, number.chars.substr(start, kMaxNumberDigits), number.plus && start == 0});
    }
  }
  return runs;
}

// Adds the terms of one field to `terms` (term -> weight), each term once per field.
void AddFieldTerms(std::string_view text, int weight, std::map<std::string, int>& terms) {
  std::set<std::string> seen;  // terms of this field already counted
  auto add = [&](std::string term) {
    if (!seen.insert(term).second) return;
    auto [it, inserted] = terms.emplace(std::move(term), 0);
    if (inserted && terms.size() > kMaxDocumentTerms) {
      terms.erase(it);
      return;
    }
    it->second += weight;
  };
  for (const Run& run : Segment(NormalizedCodePoints(text))) {
    std::u32string_view chars = run.chars;
    switch (run.kind) {
      case Run::kCjk:
        for (size_t k = 0; k + 1 < chars.size(); ++k) add(Utf8(chars.substr(k, 2)));
        add(Utf8(chars.substr(chars.size() - 1)));
        break;
      case Run::kNumber:
        for (size_t k = 0; k < chars.size(); ++k) add(Utf8(chars.substr(k)));
        break;
      case Run::kWord:
        add(Utf8(chars));
        break;
    }
  }
}

// The national significant number when `number` reads as a valid phone number and the
// result is part of its digits (so searching it can only find more); else the digits.
std::string PhoneSearchDigits(const Run& number, std::string_view region) {
  std::string digits = Utf8(number.chars);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  if (util.Parse(absl::StrCat(number.plus ? "+" : "", digits), std::string(region), &parsed) !=
          PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(parsed)) {
    return digits;
  }
  std::string national;
  util.GetNationalSignificantNumber(parsed, &national);
  if (national.empty() || digits.find(national) == std::string::npos) return digits;
  return national;
}

}  // namespace

std::string Normalize(std::string_view text) { return Utf8(NormalizedCodePoints(text)); }

std::vector<IndexTerm> DocumentTerms(std::span<const SearchField> fields) {
  std::map<std::string, int> terms;
  for (const SearchField& field : fields) AddFieldTerms(field.text, field.weight, terms);
  std::vector<IndexTerm> out;
  out.reserve(terms.size());
  for (auto& [term, weight] : terms) out.push_back({term, weight});
  return out;
}

absl::StatusOr<std::vector<QueryTerm>> ParseQuery(std::string_view query,
                                                  const QueryOptions& options) {
  std::u32string chars = NormalizedCodePoints(query);
  // Counted after normalisation too: NFKC can expand one character into several ("㍻").
  const size_t raw_chars = static_cast<size_t>(std::count_if(
      query.begin(), query.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
  if (raw_chars > kMaxQueryChars || chars.size() > 2 * kMaxQueryChars) {
    return InvalidField(options.field, absl::StrCat("at most ", kMaxQueryChars, " characters"));
  }
  std::vector<QueryTerm> terms;
  auto add = [&](std::string term, TermMatch match) {
    QueryTerm candidate{std::move(term), match};
    if (std::find(terms.begin(), terms.end(), candidate) == terms.end()) {
      terms.push_back(std::move(candidate));
    }
  };
  for (const Run& run : Segment(chars)) {
    std::u32string_view run_chars = run.chars;
    switch (run.kind) {
      case Run::kCjk:
        if (run_chars.size() == 1) {
          add(Utf8(run_chars), TermMatch::kPrefix);
          break;
        }
        for (size_t k = 0; k + 1 < run_chars.size(); k += 2) {
          add(Utf8(run_chars.substr(k, 2)), TermMatch::kExact);
        }
        if (run_chars.size() % 2 == 1) {
          add(Utf8(run_chars.substr(run_chars.size() - 2)), TermMatch::kExact);
        }
        break;
      case Run::kNumber:
        add(PhoneSearchDigits(run, options.phone_region), TermMatch::kPrefix);
        break;
      case Run::kWord:
        add(Utf8(run_chars), run_chars.size() == 1 ? TermMatch::kExact : TermMatch::kPrefix);
        break;
    }
  }
  if (terms.empty()) {
    return InvalidField(options.field, "has no letters, digits or characters to search for");
  }
  if (terms.size() > kMaxQueryTerms) {
    return InvalidField(
        options.field, absl::StrCat("too many terms (", terms.size(), "); at most ", kMaxQueryTerms,
                                    ": use fewer or shorter words"));
  }
  return terms;
}

}  // namespace crm::search
