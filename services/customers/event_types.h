// The customers service's event types, as they appear in Event.type on its feed:
// crm.customers.v1.<Thing><Happened>. customers.proto lists each with its payload: the record
// after the change (before it, for a deletion), a CustomerMerge for merges, an ImportBatch for
// import batches.
#pragma once

namespace crm::customers {

inline constexpr char kCustomerCreatedEvent[] = "crm.customers.v1.CustomerCreated";
inline constexpr char kCustomerUpdatedEvent[] = "crm.customers.v1.CustomerUpdated";
inline constexpr char kCustomerDeletedEvent[] = "crm.customers.v1.CustomerDeleted";
inline constexpr char kCustomerMergedEvent[] = "crm.customers.v1.CustomerMerged";
inline constexpr char kCustomerUnmergedEvent[] = "crm.customers.v1.CustomerUnmerged";
inline constexpr char kContactCreatedEvent[] = "crm.customers.v1.ContactCreated";
inline constexpr char kContactUpdatedEvent[] = "crm.customers.v1.ContactUpdated";
inline constexpr char kContactDeletedEvent[] = "crm.customers.v1.ContactDeleted";
inline constexpr char kImportBatchCompletedEvent[] = "crm.customers.v1.ImportBatchCompleted";
inline constexpr char kImportBatchInterruptedEvent[] = "crm.customers.v1.ImportBatchInterrupted";
inline constexpr char kImportBatchRolledBackEvent[] = "crm.customers.v1.ImportBatchRolledBack";

}  // namespace crm::customers
