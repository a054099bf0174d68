// The customers service's event types, as they appear in Event.type on its feed:
// crm.customers.v1.<Thing><Happened>. The payload is the customer after the change (before it,
// for a deletion).
#pragma once

namespace crm::customers {

inline constexpr char kCustomerCreatedEvent[] = "crm.customers.v1.CustomerCreated";
inline constexpr char kCustomerUpdatedEvent[] = "crm.customers.v1.CustomerUpdated";
inline constexpr char kCustomerDeletedEvent[] = "crm.customers.v1.CustomerDeleted";

}  // namespace crm::customers
