#include "services/opportunities/rules.h"

namespace crm::opportunities {
namespace {

using auth::Scope;

// Indexed by Role: ROLE_UNSPECIFIED, ADMIN, SALES_MANAGER, SALES_REP, MARKETING, SUPPORT.
constexpr auth::RecordRules kLeadRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kAll, Scope::kOwn, Scope::kAll, Scope::kAll},
    .write = {Scope::kNone, Scope::kAll, Scope::kAll, Scope::kOwn, Scope::kAll, Scope::kNone},
};

constexpr auth::RecordRules kOpportunityRules = {
    .read = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kMarked, Scope::kAll},
    .write = {Scope::kNone, Scope::kAll, Scope::kTeam, Scope::kOwn, Scope::kNone, Scope::kNone},
};

}  // namespace

const auth::RecordRules& LeadRules() { return kLeadRules; }
const auth::RecordRules& OpportunityRules() { return kOpportunityRules; }

}  // namespace crm::opportunities
