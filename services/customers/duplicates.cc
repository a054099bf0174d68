#include "services/customers/duplicates.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/db/json.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_rows.h"
#include "services/customers/store_sql.h"

namespace crm::customers {
namespace {

// Customers a group lists, at most.
constexpr int kGroupMembers = 50;

std::string Lower(const std::string& email) { return absl::AsciiStrToLower(email); }

}  // namespace

MatchKeys KeysOf(const v1::Customer& c) {
  MatchKeys keys;
  for (const std::string& email : c.emails()) keys.emails.push_back(Lower(email));
  keys.phones.assign(c.phones().begin(), c.phones().end());
  if (c.kind() == v1::COMPANY) keys.company = c.company_match_key();
  return keys;
}

MatchKeys AddedKeys(const v1::Customer& before, const v1::Customer& after) {
  const MatchKeys old_keys = KeysOf(before);
  MatchKeys keys = KeysOf(after);
  std::erase_if(keys.emails, [&](const std::string& e) {
    return std::find(old_keys.emails.begin(), old_keys.emails.end(), e) != old_keys.emails.end();
  });
  std::erase_if(keys.phones, [&](const std::string& p) {
    return std::find(old_keys.phones.begin(), old_keys.phones.end(), p) != old_keys.phones.end();
  });
  if (keys.company == old_keys.company) keys.company.clear();
  return keys;
}

std::vector<std::string> Matches::names() const {
  std::vector<std::string> out;
  out.reserve(visible.size());
  for (int64_t id : visible) out.push_back(CustomerName(id));
  return out;
}

absl::StatusOr<std::vector<Matches>> FindMatches(db::Session& tx, const records::Access& access,
                                                 std::span<const MatchKeys> keys,
                                                 std::span<const int64_t> self) {
  // Each distinct value once per query; the rows say which customers hold it and whether
  // the caller may read them.
  std::set<std::string> emails, phones, companies;
  for (const MatchKeys& k : keys) {
    emails.insert(k.emails.begin(), k.emails.end());
    phones.insert(k.phones.begin(), k.phones.end());
    if (!k.company.empty()) companies.insert(k.company);
  }
  struct Holder {
    int64_t id;
    bool visible;
  };
  using Holders = std::map<std::string, std::vector<Holder>>;
  // One statement for every kind of key: a part per kind that has values, each telling its
  // rows apart by the kind's number in the last column.
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "c.owner");
  struct Kind {
    const std::set<std::string>* values;
    const char* from;
    bool lower;  // e-mails are compared, and so held, lower-cased
    Holders holders;
  };
  Kind kinds[] = {{&emails, sql::kEmailFrom, true, {}},
                  {&phones, sql::kPhoneFrom, false, {}},
                  {&companies, sql::kCompanyFrom, false, {}}};
  std::string text;
  std::vector<db::Value> params;
  for (size_t k = 0; k < std::size(kinds); ++k) {
    if (kinds[k].values->empty()) continue;
    absl::StrAppend(&text, text.empty() ? "" : " UNION ALL ", sql::kSelectMatches, "(", rule.sql,
                    "), ", k, kinds[k].from);
    params.insert(params.end(), rule.params.begin(), rule.params.end());
    std::string json = "[";
    for (const std::string& v : *kinds[k].values) {
      if (json.size() > 1) json.push_back(',');
      db::AppendJsonString(json, v);
    }
    json.push_back(']');
    params.push_back(std::move(json));
  }
  if (!text.empty()) {
    CRM_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(text, params));
    for (const db::Row& row : rows) {
      Kind& kind = kinds[row.Int(3)];
      kind.holders[kind.lower ? Lower(row.Str(0)) : row.Str(0)].push_back(
          {row.Int(1), row.Int(2) != 0});
    }
  }
  const Holders& by_email = kinds[0].holders;
  const Holders& by_phone = kinds[1].holders;
  const Holders& by_company = kinds[2].holders;

  std::vector<Matches> result(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    std::map<int64_t, bool> found;  // id → visible
    auto add = [&](const Holders& holders, const std::string& value) {
      auto it = holders.find(value);
      if (it == holders.end()) return;
      for (const Holder& h : it->second) {
        if (h.id != self[i]) found[h.id] = h.visible;
      }
    };
    for (const std::string& e : keys[i].emails) add(by_email, e);
    for (const std::string& p : keys[i].phones) add(by_phone, p);
    if (!keys[i].company.empty()) add(by_company, keys[i].company);
    for (const auto& [id, visible] : found) {
      if (visible) {
        result[i].visible.push_back(id);
      } else {
        ++result[i].hidden;
      }
    }
  }
  return result;
}

absl::Status DuplicateError(const Matches& matches) {
  const std::vector<std::string> names = matches.names();
  std::string message;
  if (names.empty()) {
    message = "this customer matches a customer you cannot see (same e-mail, phone or company "
              "name); ask its owner or a manager, or set allow_duplicate";
  } else {
    message = absl::StrCat("this customer matches ", absl::StrJoin(names, ", "),
                           matches.hidden > 0 ? " and customers you cannot see" : "",
                           " (same e-mail, phone or company name); merge them, or set "
                           "allow_duplicate");
  }
  absl::Status status = Error(absl::StatusCode::kAlreadyExists, "DUPLICATE_CUSTOMER", message);
  status = WithErrorMetadata(std::move(status), "duplicates", absl::StrJoin(names, ","));
  return WithErrorMetadata(std::move(status), "hidden_duplicates", absl::StrCat(matches.hidden));
}

HistoryRow DuplicateAllowedRow(int64_t customer_id, const Matches& matches) {
  std::vector<std::string> lines = matches.names();
  if (matches.hidden > 0) {
    lines.push_back(absl::StrCat("and ", matches.hidden, " customer(s) the actor could not see"));
  }
  return {.customer_id = customer_id,
          .action = v1::DUPLICATE_ALLOWED,
          .new_value = absl::StrJoin(lines, "\n")};
}

const std::vector<api::OrderTerm>& DuplicateStore::Order() {
  static const auto* order = new std::vector<api::OrderTerm>{
      {.field = "rule", .column = "g.rule"}, {.field = "key", .column = "g.k"}};
  return *order;
}

absl::StatusOr<api::Page<v1::DuplicateGroup>> DuplicateStore::FindGroups(
    const records::Access& access, const Query& query) {
  const api::SqlFragment rule = access.Rows(auth::Operation::kRead, "c.owner");
  const std::string where =
      absl::StrCat("c.delete_time IS NULL AND (", rule.sql, ") AND (", query.filter.sql, ")");
  std::vector<db::Value> params;
  auto add_where_params = [&] {
    params.insert(params.end(), rule.params.begin(), rule.params.end());
    params.insert(params.end(), query.filter.params.begin(), query.filter.params.end());
  };
  // Keys compare as bytes across the three branches (their columns' collations differ);
  // e-mails group case-insensitively first.
  std::string text = absl::StrCat(
      "SELECT g.rule, g.k, g.n FROM (",
      "SELECT ", int{v1::SAME_EMAIL},
      " AS rule, CAST(LOWER(MIN(e.email)) AS BINARY) AS k, COUNT(*) AS n FROM customer_emails e "
      "JOIN customers c ON c.id = e.customer_id WHERE ", where,
      " GROUP BY e.email HAVING COUNT(*) > 1 UNION ALL SELECT ", int{v1::SAME_PHONE},
      ", CAST(p.phone AS BINARY), COUNT(*) FROM customer_phones p JOIN customers c ON c.id = "
      "p.customer_id WHERE ", where,
      " GROUP BY p.phone HAVING COUNT(*) > 1 UNION ALL SELECT ", int{v1::SAME_COMPANY_NAME},
      ", CAST(c.company_match_key AS BINARY), COUNT(*) FROM customers c WHERE "
      "c.company_match_key <> '' AND ", where,
      " GROUP BY c.company_match_key HAVING COUNT(*) > 1) g WHERE TRUE");
  add_where_params();
  add_where_params();
  add_where_params();
  api::AppendPageClauses(text, params, Order(), query.after ? &*query.after : nullptr,
                         query.page_size);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows rows, session->Query(text, params));
  api::Page<v1::DuplicateGroup> page;
  page.has_more = api::TakePage(rows, query.page_size, Order(), 0, &page.last_key);
  for (const db::Row& row : rows) {
    v1::DuplicateGroup group;
    group.set_rule(static_cast<v1::MatchRule>(row.Int(0)));
    group.set_key(row.Str(1));
    group.set_size(static_cast<int32_t>(row.Int(2)));
    std::string member;
    switch (group.rule()) {
      case v1::SAME_EMAIL:
        member = "EXISTS (SELECT 1 FROM customer_emails e WHERE e.customer_id = c.id AND "
                 "e.email = ?)";
        break;
      case v1::SAME_PHONE:
        member = "EXISTS (SELECT 1 FROM customer_phones p WHERE p.customer_id = c.id AND "
                 "p.phone = ?)";
        break;
      default:
        member = "c.company_match_key = ?";
        break;
    }
    std::vector<db::Value> member_params;
    member_params.insert(member_params.end(), rule.params.begin(), rule.params.end());
    member_params.insert(member_params.end(), query.filter.params.begin(),
                         query.filter.params.end());
    member_params.push_back(group.key());
    member_params.push_back(int64_t{kGroupMembers});
    CRM_ASSIGN_OR_RETURN(
        db::Rows members,
        session->Query(absl::StrCat(sql::kSelectColumns, " FROM customers c WHERE ", where,
                                    " AND ", member, " ORDER BY c.create_time, c.id LIMIT ?"),
                       member_params));
    for (const db::Row& m : members) *group.add_customers() = CustomerFromRow(m);
    page.items.push_back(std::move(group));
  }
  return page;
}

}  // namespace crm::customers
