// The catalog's event types, as they appear in Event.type on the knowledge service's feed:
// crm.knowledge.v1.<Thing><Happened>. Payloads: the Category or Product after the change
// (before it, for a deletion); the ProductPrice added, for ProductPriceChanged (its resource
// is the product).
#pragma once

namespace crm::knowledge {

inline constexpr char kCategoryCreatedEvent[] = "crm.knowledge.v1.CategoryCreated";
inline constexpr char kCategoryUpdatedEvent[] = "crm.knowledge.v1.CategoryUpdated";
inline constexpr char kCategoryDeletedEvent[] = "crm.knowledge.v1.CategoryDeleted";
inline constexpr char kProductCreatedEvent[] = "crm.knowledge.v1.ProductCreated";
inline constexpr char kProductUpdatedEvent[] = "crm.knowledge.v1.ProductUpdated";
// An update that set active to false; any other update is ProductUpdated.
inline constexpr char kProductDeactivatedEvent[] = "crm.knowledge.v1.ProductDeactivated";
inline constexpr char kProductPriceChangedEvent[] = "crm.knowledge.v1.ProductPriceChanged";

}  // namespace crm::knowledge
