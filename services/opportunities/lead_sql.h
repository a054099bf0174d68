// The lead store's statement texts. The by-id reads and the writes are prefixes: the
// owned-record kit appends " AND (<the caller's rule>)" (and " FOR UPDATE" when a write locks
// the row).
#pragma once

#include <cstddef>

namespace crm::opportunities::sql {

// The SELECT list every read maps with LeadFromRow (lead_store.cc), in this order.
#define CRM_LEAD_COLUMNS                                                                       \
  "l.id, l.version, l.company, l.contact_name, l.job_title, l.phones, l.emails, l.industry, "  \
  "l.country, l.province, l.city, l.source, l.campaign, l.status, l.disqualify_reason, "       \
  "l.score, l.owner, l.creator, l.notes, l.external_id, l.import_batch, l.customer_id, "       \
  "l.opportunity_id, l.convert_time, l.create_time, l.update_time"
inline constexpr size_t kLeadColumnCount = 26;
inline constexpr size_t kLeadOwnerIndex = 16;

inline constexpr char kSelectLeadColumns[] = "SELECT " CRM_LEAD_COLUMNS;
inline constexpr char kFromLiveLeads[] = " FROM leads l WHERE l.delete_time IS NULL";
inline constexpr char kSelectLeadById[] =
    "SELECT " CRM_LEAD_COLUMNS " FROM leads l WHERE l.id = ? AND l.delete_time IS NULL";
#undef CRM_LEAD_COLUMNS

inline constexpr char kInsertLead[] =
    "INSERT INTO leads (company, contact_name, job_title, phones, emails, industry, country, "
    "province, city, source, campaign, status, score, owner, creator, notes, external_id, "
    "import_batch, create_time, update_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
inline constexpr char kUpdateLead[] =
    "UPDATE leads l SET company = ?, contact_name = ?, job_title = ?, phones = ?, emails = ?, "
    "industry = ?, country = ?, province = ?, city = ?, source = ?, campaign = ?, status = ?, "
    "disqualify_reason = ?, score = ?, owner = ?, notes = ?, external_id = ?, import_batch = ?, "
    "update_time = ?, version = version + 1 WHERE l.id = ?";
inline constexpr char kConvertLead[] =
    "UPDATE leads l SET status = ?, score = ?, customer_id = ?, opportunity_id = ?, "
    "convert_time = ?, update_time = ?, version = version + 1 WHERE l.id = ?";
// A deleted lead gives up its external id, so an import may bring it back.
inline constexpr char kSoftDeleteLead[] =
    "UPDATE leads l SET delete_time = ?, update_time = ?, external_id = NULL, "
    "version = version + 1 WHERE l.id = ?";
inline constexpr char kLeadWithExternalId[] =
    "SELECT id FROM leads WHERE external_id = ? AND delete_time IS NULL";

// Conversions in flight.
inline constexpr char kBeginConversion[] =
    "INSERT IGNORE INTO lead_conversions (lead_id, actor, customer_request_id, "
    "customer_request, create_time) VALUES (?, ?, ?, ?, ?)";
inline constexpr char kPendingConversion[] =
    "SELECT actor, customer_request_id, customer_request FROM lead_conversions WHERE lead_id = ?";
inline constexpr char kEndConversion[] = "DELETE FROM lead_conversions WHERE lead_id = ?";
inline constexpr char kAbandonConversion[] =
    "DELETE FROM lead_conversions WHERE lead_id = ? AND actor = ?";

// What the customers feed changes.
inline constexpr char kLeadsOfCustomer[] =
    "SELECT l.id FROM leads l WHERE l.customer_id = ? AND l.delete_time IS NULL ORDER BY l.id";
inline constexpr char kRepointLead[] =
    "UPDATE leads SET customer_id = ?, update_time = ?, version = version + 1 WHERE id = ?";
inline constexpr char kRepointedLeads[] =
    "SELECT r.record_id FROM customer_repoints r JOIN leads l ON l.id = r.record_id "
    "WHERE r.survivor_id = ? AND r.merged_id = ? AND r.record_kind = 1 AND l.customer_id = ? "
    "AND l.delete_time IS NULL ORDER BY r.record_id";

}  // namespace crm::opportunities::sql
