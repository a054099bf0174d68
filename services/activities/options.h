// crm-activities' own settings, besides the flags every service takes
// (libs/service/process.h) and where its peers are (libs/service/peers.h).
#pragma once

#include "absl/time/time.h"
#include "libs/config/config.h"
#include "libs/mail/mail.h"
#include "services/activities/greeting_job.h"

namespace crm::activities {

struct Options {
  // How long a call to the customers service (checking a record's customer) may take at most
  // (less when the caller's deadline is sooner).
  absl::Duration call_timeout = absl::Seconds(5);
  // Whether this process follows the customers and opportunities feeds (customer owners and
  // merges; follow-ups due become tasks).
  bool follow_feeds = true;

  // ---- Greetings (greeting_job.h): --greetings, --greeting_interval, --greeting_lead_days,
  // --company_time_zone, --greeting_language, --greeting_claim_lease, and the mailer's
  // --smtp_* flags (libs/mail/mail.h).
  bool greetings = true;
  GreetingSettings greeting;
  mail::SmtpSettings smtp;
};

// Reads the flags (env CRM_<FLAG>).
Options ReadOptions(config::Flags& flags);

}  // namespace crm::activities
