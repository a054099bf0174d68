// The duplicate rules (customers.proto, "Duplicate rules"): two live customers match when they
// share an e-mail address (case-insensitively), a phone number (E.164) or, for companies, the
// company match key. Used to refuse a create or update that makes a duplicate (one customer or
// a chunk of imported rows at a time) and to list the groups that exist (FindDuplicates).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/api/list.h"
#include "libs/db/db.h"
#include "libs/records/access.h"
#include "services/customers/history.h"

namespace crm::customers {

// The values of one customer the rules compare.
struct MatchKeys {
  std::vector<std::string> emails;  // lower case
  std::vector<std::string> phones;
  std::string company;  // empty for people
  bool empty() const { return emails.empty() && phones.empty() && company.empty(); }
};

MatchKeys KeysOf(const v1::Customer& customer);
// What `after` has that `before` did not: an update is checked for the keys it adds.
MatchKeys AddedKeys(const v1::Customer& before, const v1::Customer& after);

// The customers one customer matches.
struct Matches {
  std::vector<int64_t> visible;  // those the caller may read, ascending
  int hidden = 0;                // and how many they may not
  bool empty() const { return visible.empty() && hidden == 0; }
  std::vector<std::string> names() const;
};

// For each `keys[i]`: the live customers other than `self[i]` (0 for a new customer) that
// share one of its values. Reads in `tx`, so it sees what the transaction wrote before.
absl::StatusOr<std::vector<Matches>> FindMatches(db::Session& tx, const records::Access& access,
                                                 std::span<const MatchKeys> keys,
                                                 std::span<const int64_t> self);

// ALREADY_EXISTS, reason DUPLICATE_CUSTOMER, with the ErrorInfo metadata "duplicates" and
// "hidden_duplicates" that customers.proto documents.
absl::Status DuplicateError(const Matches& matches);

// The history row recording that allow_duplicate let customer `customer_id` match `matches`.
HistoryRow DuplicateAllowedRow(int64_t customer_id, const Matches& matches);

// FindDuplicates: groups of readable live customers sharing a key.
class DuplicateStore final {
 public:
  explicit DuplicateStore(db::Pool& pool) : pool_(pool) {}

  struct Query {
    api::SqlFragment filter;  // on alias c, "TRUE" for none
    int page_size = 20;
    std::optional<std::vector<db::Value>> after;  // (rule, key) of the last group
  };
  // Order: by rule, then key.
  static const std::vector<api::OrderTerm>& Order();

  absl::StatusOr<api::Page<v1::DuplicateGroup>> FindGroups(const records::Access& access,
                                                           const Query& query);

 private:
  db::Pool& pool_;
};

}  // namespace crm::customers
