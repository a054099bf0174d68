// crm-activities' own settings, besides the flags every service takes
// (libs/service/process.h) and where its peers are (libs/service/peers.h).
#pragma once

#include "absl/time/time.h"
#include "libs/config/config.h"
#include "libs/mail/mail.h"
#include "services/activities/delivery_job.h"
#include "services/activities/greeting_job.h"
#include "services/activities/retention.h"

namespace crm::activities {

struct Options {
  // How long a call to the customers service (checking a record's customer) may take at most
  // (less when the caller's deadline is sooner).
  absl::Duration call_timeout = absl::Seconds(5);
  // Whether this process follows the customers and opportunities feeds (customer owners and
  // merges; follow-ups due become tasks).
  bool follow_feeds = true;

  // ---- Notification delivery
  // How long an answer of the auth service about who to tell (a rep's manager, the support
  // desk) is reused: a rep moved to another team is told to the new manager within it.
  absl::Duration people_cache_ttl = absl::Seconds(30);
  // How often every open WatchNotifications looks for new notifications.
  absl::Duration watch_poll_interval = absl::Seconds(1);
  // How often the task scheduler sends due reminders and escalates overdue tasks, and how
  // long an OPEN task may be overdue before its assignee's manager hears of it.
  absl::Duration task_scheduler_interval = absl::Minutes(1);
  absl::Duration task_escalation_delay = absl::Hours(24);
  // ---- Greetings (greeting_job.h): --greetings, --greeting_interval, --greeting_lead_days,
  // --company_time_zone, --greeting_language, --greeting_claim_lease, and the mailer's
  // --smtp_* flags (libs/mail/mail.h).
  bool greetings = true;
  GreetingSettings greeting;
  mail::SmtpSettings smtp;
  // ---- Notification delivery by e-mail and webhook (delivery_job.h): --delivery_interval,
  // --delivery_max_attempts, --delivery_claim_lease, --notification_language; the mailer's
  // --smtp_* and --company_time_zone are shared with the greetings.
  DeliverySettings delivery;
  // ---- Retention (retention.h): --notification_retention, --retention_interval.
  RetentionSettings retention;
};

// Reads the flags (env CRM_<FLAG>).
Options ReadOptions(config::Flags& flags);

}  // namespace crm::activities
