// How text becomes search terms, for documents and queries alike (libs/search/README.md has
// the rules with examples). Pure functions: no database, safe from any thread.
//
//   Normalize("ＡＢＣ　杭州（中国）")                → "abc 杭州(中国)"
//   DocumentTerms({{"苏州精工机械", 10}})            → 苏州 州精 精工 工机 机械 械 (weight 10 each)
//   DocumentTerms({{"+8657188886666", 1}})          → every suffix of 8657188886666
//   ParseQuery("0571-8888 6666")                    → prefix "57188886666" (the phone's national
//                                                     number: a substring of every way to write it)
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::search {

// Bounds that keep one document's rows and one query's SQL small.
inline constexpr size_t kMaxWordChars = 32;         // longer words are indexed and searched cut
inline constexpr size_t kMaxNumberDigits = 20;      // longer digit runs are indexed in pieces
inline constexpr size_t kMaxDocumentTerms = 10000;  // distinct terms of one document, at most
inline constexpr size_t kMaxQueryChars = 64;        // code points of a query, at most
inline constexpr size_t kMaxQueryTerms = 8;         // terms a query becomes, at most
// Bumped whenever the rules below change what a text is indexed under: an index built by an
// older version must then be rebuilt (search::Rebuild) for old records to match new queries.
inline constexpr int kTokenizerVersion = 1;

// NFKC with Unicode case folding (ICU's NFKC_Casefold): full-width letters, digits and
// punctuation become their ASCII forms, the ideographic space a plain space, letters lower
// case. Invalid UTF-8 becomes U+FFFD.
std::string Normalize(std::string_view text);

// One field of a document: its text and how much a match in it counts (e.g. title 10,
// body 1).
struct SearchField {
  std::string_view text;
  int weight = 1;
};

// A term a document is indexed under and its weight there: the sum of the weights of the
// fields it occurs in (each field counts once, however often the term occurs in it).
struct IndexTerm {
  std::string term;
  int weight = 0;
};

// The terms of a document, sorted by term, unique. After normalisation, text splits into
// runs:
//   - Han, kana and hangul letters: every overlapping bigram of the run, plus the run's last
//     character alone, so that every character starts some term (a one-character query is
//     then a prefix match);
//   - numbers (digits, with groups joined across at most 3 of " -.()/+" and dashes, as phone
//     numbers are written): every suffix, so that a query matching a suffix's prefix is any
//     substring; runs above kMaxNumberDigits are cut into pieces of that size;
//   - other words (letters, marks and digits): the whole word, cut to kMaxWordChars.
// Everything else separates runs. At most kMaxDocumentTerms terms are kept, the first
// fields' first.
std::vector<IndexTerm> DocumentTerms(std::span<const SearchField> fields);

enum class TermMatch {
  kExact,   // the indexed term equals the query term
  kPrefix,  // the indexed term starts with the query term
};

struct QueryTerm {
  std::string term;
  TermMatch match = TermMatch::kExact;
  friend bool operator==(const QueryTerm&, const QueryTerm&) = default;
};

struct QueryOptions {
  // The request field named in errors.
  std::string_view field = "query";
  // Numbers that libphonenumber reads as a valid phone number (national formats of this
  // region, or international ones) are searched by their national significant number.
  std::string_view phone_region = "CN";
};

// What a query looks for; a document matches when it matches every term (AND):
//   - a Han/kana/hangul run of one character: prefix (any bigram starting with it, or the
//     character ending a run); of two or more: the bigrams at even offsets plus the last
//     one (they cover the run; every overlapping bigram would only repeat the work);
//   - a number: prefix (over the indexed suffixes, so any substring of an indexed number);
//     a valid phone number is replaced by its national significant number, which drops the
//     country code and the trunk "0" ("+86 571-8888-6666" and "0571 88886666" both become
//     57188886666);
//   - a word: prefix, except one-letter words, which match exactly.
// Duplicate terms are dropped. INVALID_ARGUMENT (a violation on options.field) when the
// query has more than kMaxQueryChars characters, becomes more than kMaxQueryTerms terms,
// or has nothing to search for.
absl::StatusOr<std::vector<QueryTerm>> ParseQuery(std::string_view query,
                                                  const QueryOptions& options = {});

}  // namespace crm::search
