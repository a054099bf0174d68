// The customers store's statement texts, shared with tools/loadgen so its raw SQL ceiling
// runs exactly the statements the service runs. The by-id reads and the writes are
// prefixes: the owned-record kit appends " AND (<the caller's rule>)" (for an ADMIN that is
// " AND (TRUE)", and " FOR UPDATE" after it when a write locks the row).
#pragma once

#include <cstddef>

namespace crm::customers::sql {

// Which version of the derived columns (company_match_key) and of the search document a
// row written now has; rows with an older one are brought up to date at start-up
// (CustomerStore::RefreshDerivedData). Bump it when either changes.
inline constexpr int kDerivedVersion = 1;

// The SELECT list every read maps with CustomerFromRow (customer_rows.cc), in this order.
#define CRM_CUSTOMER_COLUMNS                                                                  \
  "c.id, c.version, c.display_name, c.kind, c.industry, c.size_band, c.country, c.province, " \
  "c.city, c.address, c.tags, c.emails, c.phones, c.source, c.owner, c.creator, c.notes, "    \
  "c.create_time, c.update_time, c.external_id, c.company_match_key, c.dates"
inline constexpr size_t kColumnCount = 22;

inline constexpr size_t kOwnerIndex = 14;  // c.owner in that list

inline constexpr char kSelectColumns[] = "SELECT " CRM_CUSTOMER_COLUMNS;
inline constexpr char kFromLive[] = " FROM customers c WHERE c.delete_time IS NULL";
inline constexpr char kSelectById[] =
    "SELECT " CRM_CUSTOMER_COLUMNS " FROM customers c WHERE c.id = ? AND c.delete_time IS NULL";
#undef CRM_CUSTOMER_COLUMNS

// The last parameter is kDerivedVersion.
inline constexpr char kInsert[] =
    "INSERT INTO customers (display_name, kind, industry, size_band, country, province, city, "
    "address, tags, emails, phones, source, owner, creator, notes, create_time, update_time, "
    "external_id, company_match_key, dates, derived_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdate[] =
    "UPDATE customers c SET display_name = ?, kind = ?, industry = ?, size_band = ?, country = ?, "
    "province = ?, city = ?, address = ?, tags = ?, emails = ?, phones = ?, source = ?, "
    "owner = ?, notes = ?, update_time = ?, external_id = ?, company_match_key = ?, dates = ?, "
    "derived_version = ?, version = version + 1 "
    "WHERE c.id = ?";
inline constexpr char kSoftDelete[] =
    "UPDATE customers c SET delete_time = ?, update_time = ?, version = version + 1 "
    "WHERE c.id = ?";
inline constexpr char kDeleteTags[] = "DELETE FROM customer_tags WHERE customer_id = ?";
inline constexpr char kDeleteEmails[] = "DELETE FROM customer_emails WHERE customer_id = ?";
inline constexpr char kDeletePhones[] = "DELETE FROM customer_phones WHERE customer_id = ?";

}  // namespace crm::customers::sql
