#include "libs/api/query.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/api/internal.h"
#include "libs/grpc/status.h"

namespace crm::api {

using internal::AsAbsl;
using internal::AsStd;

ResourceFields::ResourceFields(std::vector<FieldSpec> fields, std::string id_column)
    : fields_(std::move(fields)), id_column_(std::move(id_column)) {}

const FieldSpec* ResourceFields::Find(std::string_view name) const {
  for (const FieldSpec& field : fields_) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// order_by

namespace {

constexpr size_t kMaxOrderByLength = 500;

absl::Status InvalidOrderBy(absl::string_view description) {
  return internal::InvalidInput("INVALID_ORDER_BY", "order_by", AsStd(description));
}

}  // namespace

absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(std::string_view order_by,
                                                    std::string_view default_order,
                                                    const ResourceFields& fields) {
  if (order_by.size() > kMaxOrderByLength) {
    return InvalidOrderBy(absl::StrCat("longer than ", kMaxOrderByLength, " characters"));
  }
  absl::string_view spec = absl::StripAsciiWhitespace(AsAbsl(order_by));
  if (spec.empty()) spec = absl::StripAsciiWhitespace(AsAbsl(default_order));

  std::vector<OrderTerm> order;
  std::set<std::string> seen;
  if (!spec.empty()) {
    for (absl::string_view term : absl::StrSplit(spec, ',')) {
      const std::vector<absl::string_view> words =
          absl::StrSplit(term, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
      if (words.empty()) return InvalidOrderBy("empty term between commas");
      if (words.size() > 2) {
        return InvalidOrderBy(absl::StrCat("expected \"field\" or \"field desc\", got \"",
                                           absl::StripAsciiWhitespace(term), "\""));
      }
      bool descending = false;
      if (words.size() == 2) {
        const std::string direction = absl::AsciiStrToLower(words[1]);
        if (direction != "asc" && direction != "desc") {
          return InvalidOrderBy(
              absl::StrCat("direction must be asc or desc, got \"", words[1], "\""));
        }
        descending = direction == "desc";
      }
      const FieldSpec* field = fields.Find(AsStd(words[0]));
      if (field == nullptr) {
        return InvalidOrderBy(absl::StrCat("unknown field \"", words[0], "\""));
      }
      if (!field->orderable || field->column.empty()) {
        return InvalidOrderBy(absl::StrCat("cannot order by \"", words[0], "\""));
      }
      if (!seen.insert(field->name).second) {
        return InvalidOrderBy(absl::StrCat("field \"", words[0], "\" appears twice"));
      }
      order.push_back({field->name, field->column, descending});
    }
  }

  // The id makes the order total, which keyset paging needs to neither skip nor repeat rows.
  const bool has_id = std::any_of(order.begin(), order.end(), [&](const OrderTerm& term) {
    return term.column == fields.id_column();
  });
  if (!has_id) {
    const bool descending = !order.empty() && order.front().descending;
    order.push_back({"", fields.id_column(), descending});
  }
  return order;
}

std::string OrderByClause(const std::vector<OrderTerm>& order) {
  return absl::StrJoin(order, ", ", [](std::string* out, const OrderTerm& term) {
    absl::StrAppend(out, term.column, term.descending ? " DESC" : " ASC");
  });
}

// ---------------------------------------------------------------------------------------
// Keyset paging

namespace {

// Orderable columns are expected to be NOT NULL (README). A NULL position can still come
// from a nullable expression, and then follows MariaDB's ordering, where NULL sorts before
// every value: first ascending, last descending.
void AppendEqual(const OrderTerm& term, const db::Value& value, SqlFragment* out) {
  if (std::holds_alternative<std::monostate>(value)) {
    absl::StrAppend(&out->sql, term.column, " IS NULL");
    return;
  }
  absl::StrAppend(&out->sql, term.column, " = ?");
  out->params.push_back(value);
}

void AppendAfter(const OrderTerm& term, const db::Value& value, SqlFragment* out) {
  if (std::holds_alternative<std::monostate>(value)) {
    // Nothing sorts after NULL when descending.
    absl::StrAppend(&out->sql,
                    term.descending ? "FALSE" : absl::StrCat(term.column, " IS NOT NULL"));
    return;
  }
  absl::StrAppend(&out->sql, term.column, term.descending ? " < ?" : " > ?");
  out->params.push_back(value);
}

}  // namespace

SqlFragment KeysetAfter(const std::vector<OrderTerm>& order, const std::vector<db::Value>& last) {
  // A position that does not fit the order (e.g. a token from before a default order changed)
  // must not select arbitrary rows; callers should reject it first (see README).
  if (order.empty() || order.size() != last.size()) return {"FALSE", {}};
  // (a after) OR (a equal AND b after) OR (a equal AND b equal AND c after) ...
  // Each disjunct fixes a prefix of the order, which handles mixed directions term by term.
  SqlFragment out;
  out.sql = "(";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) out.sql += " OR ";
    if (i > 0) out.sql += "(";
    for (size_t j = 0; j < i; ++j) {
      AppendEqual(order[j], last[j], &out);
      out.sql += " AND ";
    }
    AppendAfter(order[i], last[i], &out);
    if (i > 0) out.sql += ")";
  }
  out.sql += ")";
  return out;
}

// ---------------------------------------------------------------------------------------
// Page tokens
//
// raw token = version(1) | SHA-256(binding)[0..16) | count(1) | values | HMAC-SHA256(32)
// value     = 'N' | 'I' int64 big-endian(8) | 'S' varint length, bytes
// The MAC covers everything before it; the token is that, base64url without padding.

namespace {

constexpr unsigned char kTokenVersion = 1;
constexpr size_t kBindingDigestSize = 16;
constexpr size_t kMacSize = 32;
constexpr size_t kMaxTokenValues = 16;
constexpr size_t kMaxTokenChars = 2048;

absl::Status InvalidPageToken(std::string_view description) {
  return internal::InvalidInput("INVALID_PAGE_TOKEN", "page_token", description);
}

std::array<unsigned char, kMacSize> Mac(std::string_view secret, std::string_view data) {
  std::array<unsigned char, kMacSize> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return mac;
}

std::string BindingDigest(std::string_view binding) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(binding.data(), binding.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), kBindingDigestSize);
}

void AppendVarint(uint64_t n, std::string* out) {
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

// Reads the serialised values; false on any malformation (MAC-valid tokens are always
// well formed, so this only guards against our own format changing under a valid key).
bool ReadValues(std::string_view in, std::vector<db::Value>* values) {
  if (in.empty()) return false;
  const size_t count = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (count > kMaxTokenValues) return false;
  for (size_t i = 0; i < count; ++i) {
    if (in.empty()) return false;
    const char tag = in[0];
    in.remove_prefix(1);
    if (tag == 'N') {
      values->emplace_back(std::monostate{});
    } else if (tag == 'I') {
      if (in.size() < 8) return false;
      uint64_t n = 0;
      for (int k = 0; k < 8; ++k) n = (n << 8) | static_cast<unsigned char>(in[k]);
      in.remove_prefix(8);
      values->emplace_back(static_cast<int64_t>(n));
    } else if (tag == 'S') {
      uint64_t length = 0;
      int shift = 0;
      while (true) {
        if (in.empty() || shift > 28) return false;
        const auto byte = static_cast<unsigned char>(in[0]);
        in.remove_prefix(1);
        length |= static_cast<uint64_t>(byte & 0x7F) << shift;
        shift += 7;
        if ((byte & 0x80) == 0) break;
      }
      if (length > in.size()) return false;
      values->emplace_back(std::string(in.substr(0, length)));
      in.remove_prefix(length);
    } else {
      return false;
    }
  }
  return in.empty();
}

}  // namespace

PageTokenCodec::PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

std::string PageTokenCodec::Encode(std::string_view binding,
                                   const std::vector<db::Value>& last) const {
  std::string raw;
  raw.push_back(static_cast<char>(kTokenVersion));
  raw += BindingDigest(binding);
  raw.push_back(static_cast<char>(last.size()));
  for (const db::Value& value : last) {
    if (const auto* n = std::get_if<int64_t>(&value)) {
      raw.push_back('I');
      const auto u = static_cast<uint64_t>(*n);
      for (int shift = 56; shift >= 0; shift -= 8) raw.push_back(static_cast<char>(u >> shift));
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      raw.push_back('S');
      AppendVarint(s->size(), &raw);
      raw += *s;
    } else {
      raw.push_back('N');
    }
  }
  const auto mac = Mac(secret_, raw);
  raw.append(reinterpret_cast<const char*>(mac.data()), mac.size());
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::vector<db::Value>> PageTokenCodec::Decode(std::string_view token,
                                                              std::string_view binding) const {
  constexpr std::string_view kForeign = "not a page token issued by this service";
  std::string raw;
  // Re-encoding must give back the token, so one position has exactly one spelling.
  if (token.empty() || token.size() > kMaxTokenChars ||
      !absl::WebSafeBase64Unescape(AsAbsl(token), &raw) ||
      absl::WebSafeBase64Escape(raw) != token ||
      raw.size() < 1 + kBindingDigestSize + 1 + kMacSize) {
    return InvalidPageToken(kForeign);
  }
  const std::string_view body(raw.data(), raw.size() - kMacSize);
  const auto expected = Mac(secret_, body);
  if (CRYPTO_memcmp(expected.data(), raw.data() + body.size(), kMacSize) != 0 ||
      static_cast<unsigned char>(body[0]) != kTokenVersion) {
    return InvalidPageToken(kForeign);
  }
  const std::string digest = BindingDigest(binding);
  if (CRYPTO_memcmp(digest.data(), body.data() + 1, kBindingDigestSize) != 0) {
    return InvalidPageToken(
        "the token belongs to a different query; filter and order_by must not change between "
        "pages");
  }
  std::vector<db::Value> values;
  if (!ReadValues(body.substr(1 + kBindingDigestSize), &values)) {
    return InvalidPageToken(kForeign);
  }
  return values;
}

std::string PageBinding(std::string_view filter, std::string_view order_by,
                        std::string_view scope) {
  // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
  return absl::StrCat(filter.size(), ":", AsAbsl(filter), "|", order_by.size(), ":",
                      AsAbsl(order_by), "|", scope.size(), ":", AsAbsl(scope));
}

absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return internal::InvalidInput("INVALID_ARGUMENT", "page_size", "must not be negative");
  }
  if (requested == 0) return std::min(default_size, max_size);
  return std::min(requested, max_size);
}

void AppendPageClauses(std::string& query, std::vector<db::Value>& params,
                       const std::vector<OrderTerm>& order, const std::vector<db::Value>* after,
                       int page_size) {
  if (after != nullptr) {
    SqlFragment keyset = KeysetAfter(order, *after);
    absl::StrAppend(&query, " AND ", keyset.sql);
    params.insert(params.end(), keyset.params.begin(), keyset.params.end());
  }
  absl::StrAppend(&query, " ORDER BY ", OrderByClause(order), " LIMIT ?");
  params.emplace_back(std::in_place_type<int64_t>, int64_t{page_size} + 1);
}

std::map<std::string, int64_t> EnumValues(const google::protobuf::EnumDescriptor& descriptor,
                                          bool with_zero) {
  std::map<std::string, int64_t> values;
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *descriptor.value(i);
    if (value.number() != 0 || with_zero) values[value.name()] = value.number();
  }
  return values;
}

absl::StatusOr<std::optional<std::vector<db::Value>>> DecodePageToken(
    const PageTokenCodec& codec, std::string_view token, std::string_view binding,
    size_t terms) {
  if (token.empty()) return std::optional<std::vector<db::Value>>();
  CRM_ASSIGN_OR_RETURN(std::vector<db::Value> after, codec.Decode(token, binding));
  if (after.size() != terms) {
    return crm::Error(absl::StatusCode::kInvalidArgument, "INVALID_PAGE_TOKEN",
                      "page_token was made for another query or ordering; start from the first "
                      "page");
  }
  return std::optional<std::vector<db::Value>>(std::move(after));
}

}  // namespace crm::api
