// The demo sales pipeline that `crmctl demo-load` creates on top of the demo customers and
// catalog: leads from a campaign and from the reps' own contacts (one of them converted), and
// opportunities in every stage of the default pipeline, some won and lost, so the pipeline
// summary, the forecast and the learned probability have something to show.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "crm/opportunities/v1/opportunities.pb.h"

namespace crm::crmctl {

// Leads, created by `owner` (a demo username) with request id "demo-lead-<key>". A lead with
// `convert` set is then converted (request id "demo-convert-<key>") into a new customer and an
// opportunity of `convert_amount` CNY minor units.
struct DemoLead {
  std::string_view key;
  std::string_view owner;
  std::string_view company;
  std::string_view contact_name;
  std::string_view phone;
  std::string_view email;
  std::string_view industry;
  crm::opportunities::v1::Source source;
  std::string_view campaign;
  crm::opportunities::v1::LeadStatus status;
  bool convert;
  int64_t convert_amount;
};
const std::vector<DemoLead>& DemoLeads();

enum class DemoOutcome { kOpen, kWon, kLost };

// Opportunities on the demo customers: the customer is the `customer`-th demo customer and
// the owner its owner (DemoOwnerOf), created with request id "demo-opportunity-<key>", moved
// to `stage` (a display name of the shipped pipeline) and, for closed ones, won or lost.
struct DemoOpportunity {
  std::string_view key;
  size_t customer;
  std::string_view title;
  std::string_view currency;
  int64_t minor_units;
  std::string_view stage;  // the open stage it is in (closed ones: the one it closed from)
  DemoOutcome outcome;
  int close_in_days;  // expected close date, days from the load
  crm::opportunities::v1::Source source;
  std::vector<std::string_view> skus;        // products of interest
  std::string_view competitor;               // "" for none
  std::string_view loss_reason;              // kLost only
};
const std::vector<DemoOpportunity>& DemoOpportunities();

}  // namespace crm::crmctl
