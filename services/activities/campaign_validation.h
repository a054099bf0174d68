// Input rules for campaigns and their feedback: what a valid one is and the normal form it is
// stored in, with the limits activities.proto documents ("Campaigns"). Every violation is
// reported at once, under `prefix` ("campaign.participants[2]").
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "crm/activities/v1/activities.pb.h"

namespace crm::activities {

// The most target customers a campaign lists, with those its customer filter adds.
inline constexpr int kMaxCampaignTargets = 1000;

// Clears what clients do not set (name, etag, state, creator, times).
void ClearOutputOnly(v1::Campaign& campaign);

// Normalises (trimmed text; the expected revenue in the budget's currency, 0 when unset) and
// checks a campaign's input fields.
absl::Status NormalizeAndValidateCampaign(v1::Campaign& campaign, std::string_view prefix);

// The same for feedback (the customer's visibility is the caller's to check).
absl::Status NormalizeAndValidateFeedback(v1::CampaignFeedback& feedback, std::string_view prefix);

}  // namespace crm::activities
