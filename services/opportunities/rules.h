// Who may read and change leads and opportunities: the owned-record kit's rules
// (libs/auth/visibility.h) with two tables of their own, as
// proto/crm/opportunities/v1/opportunities.proto documents them. Handlers ask for access under
// these: access_.For(caller, kMethod, OpportunityRules()).
#pragma once

#include "libs/auth/visibility.h"

namespace crm::opportunities {

// Leads: the lead pool is shared. ADMIN, SALES_MANAGER, MARKETING read and write every lead
// (marketing owns the pool; a manager hands leads to their reps), SUPPORT reads every lead,
// SALES_REP reads and writes their own.
const auth::RecordRules& LeadRules();

// Opportunities: the customers' rules, except that MARKETING reads only campaign-sourced
// opportunities (Scope::kMarked with the table's "campaign <> ''") and writes none.
const auth::RecordRules& OpportunityRules();

}  // namespace crm::opportunities
