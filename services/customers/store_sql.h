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

// The duplicate check (duplicates.cc) is one statement: for each kind of key that has values,
// kSelectMatches, "(<the caller's read rule>)" (may the caller read the customer holding the
// value), ", <the kind's number>" and the kind's FROM clause, the parts joined by UNION ALL.
// The values to look for arrive as one JSON list per kind; each is compared in the column's
// own collation (given explicitly), so the column's index serves the lookup.
inline constexpr char kSelectMatches[] = "SELECT j.v, c.id, ";
inline constexpr char kEmailFrom[] =
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (v VARCHAR(254) CHARACTER SET utf8mb4 PATH '$')) j "
    "JOIN customer_emails e ON e.email = j.v COLLATE utf8mb4_unicode_ci "
    "JOIN customers c ON c.id = e.customer_id AND c.delete_time IS NULL";
inline constexpr char kPhoneFrom[] =
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (v VARCHAR(32) CHARACTER SET utf8mb4 PATH '$')) j "
    "JOIN customer_phones p ON p.phone = j.v COLLATE utf8mb4_unicode_ci "
    "JOIN customers c ON c.id = p.customer_id AND c.delete_time IS NULL";
inline constexpr char kCompanyFrom[] =
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (v VARCHAR(200) CHARACTER SET utf8mb4 PATH '$')) j "
    "JOIN customers c ON c.company_match_key = j.v COLLATE utf8mb4_bin AND "
    "c.delete_time IS NULL";

// Child rows, search document and history of customers (customer_rows.cc); each takes its
// rows as one JSON array.
inline constexpr char kInsertTags[] =
    "INSERT INTO customer_tags (customer_id, tag) SELECT j.id, j.v FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (id BIGINT PATH '$[0]', v VARCHAR(32) CHARACTER SET utf8mb4 PATH '$[1]')) j";
inline constexpr char kInsertEmails[] =
    "INSERT INTO customer_emails (customer_id, email) SELECT j.id, j.v FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (id BIGINT PATH '$[0]', v VARCHAR(254) CHARACTER SET utf8mb4 PATH '$[1]')) j";
inline constexpr char kInsertPhones[] =
    "INSERT INTO customer_phones (customer_id, phone) SELECT j.id, j.v FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (id BIGINT PATH '$[0]', v VARCHAR(32) CHARACTER SET utf8mb4 PATH '$[1]')) j";
// SELECTs are fine with IN: the optimizer turns the subquery into a semi-join.
#define CRM_IDS_IN " IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j)"
inline constexpr char kSelectCustomersIn[] =
    "SELECT c.id, c.display_name, c.kind, c.tags, c.emails, c.phones, c.notes, c.external_id "
    "FROM customers c WHERE c.delete_time IS NULL AND c.id" CRM_IDS_IN;
inline constexpr char kSelectContactsIn[] =
    "SELECT ct.customer_id, ct.display_name, ct.phones, ct.emails FROM contacts ct "
    "WHERE ct.delete_time IS NULL AND ct.customer_id" CRM_IDS_IN " ORDER BY ct.customer_id, ct.id";
#undef CRM_IDS_IN
inline constexpr char kInsertHistory[] =
    "INSERT INTO customer_history (customer_id, contact_id, action, field, old_value, new_value, "
    "source, actor, operation, change_time) SELECT j.customer_id, j.contact_id, j.action, "
    "j.field, j.old_value, j.new_value, ?, ?, ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "customer_id BIGINT PATH '$[0]', contact_id BIGINT PATH '$[1]', action INT PATH '$[2]', "
    "field VARCHAR(64) CHARACTER SET utf8mb4 PATH '$[3]', old_value TEXT CHARACTER SET utf8mb4 "
    "PATH '$[4]', new_value TEXT CHARACTER SET utf8mb4 PATH '$[5]')) j";

}  // namespace crm::customers::sql
