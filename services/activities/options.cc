#include "services/activities/options.h"

namespace crm::activities {

Options ReadOptions(config::Flags& flags) {
  Options options;
  options.call_timeout = flags.Duration("call_timeout", options.call_timeout,
                                        "longest call to the customers service",
                                        absl::Milliseconds(100), absl::Minutes(1));
  options.follow_feeds = flags.Bool(
      "follow_feeds", options.follow_feeds,
      "follow the customers feed (owners, merges) and the opportunities feed (follow-ups due)");
  // ---- Notification delivery
  options.people_cache_ttl = flags.Duration(
      "people_cache_ttl", options.people_cache_ttl,
      "how long the auth service's answer about a rep's manager and the support desk is reused",
      absl::ZeroDuration(), absl::Hours(1));
  options.watch_poll_interval =
      flags.Duration("watch_poll_interval", options.watch_poll_interval,
                     "how often open WatchNotifications streams look for new notifications",
                     absl::Milliseconds(10), absl::Minutes(1));
  options.task_scheduler_interval = flags.Duration(
      "task_scheduler_interval", options.task_scheduler_interval,
      "how often task reminders are sent and overdue tasks escalated", absl::Milliseconds(10),
      absl::Hours(1));
  options.task_escalation_delay = flags.Duration(
      "task_escalation_delay", options.task_escalation_delay,
      "how long an open task may be overdue before its assignee's manager is told",
      absl::ZeroDuration(), absl::Hours(24 * 90));

  // ---- Greetings
  options.greetings = flags.Bool("greetings", options.greetings,
                                 "plan and send greetings for the customers' yearly dates");
  GreetingSettings& g = options.greeting;
  g.interval = flags.Duration("greeting_interval", g.interval,
                              "how often the greeting scheduler looks for dates and due greetings",
                              absl::Seconds(1), absl::Hours(24));
  g.lead_days = flags.Int("greeting_lead_days", g.lead_days,
                          "days ahead a greeting is drafted for the rep to see", 0, 60);
  g.time_zone = flags.String("company_time_zone", g.time_zone,
                             "the IANA zone whose date decides when a greeting is due");
  g.default_language = flags.String("greeting_language", g.default_language,
                                    "template language when the customer has none: zh or en");
  g.claim_lease = flags.Duration("greeting_claim_lease", g.claim_lease,
                                 "how long a sender's claim keeps other replicas off a greeting "
                                 "(longer than --smtp_timeout)",
                                 absl::Seconds(1), absl::Hours(1));
  options.smtp = mail::ReadSmtpFlags(flags);
  g.send = !options.smtp.url.empty();

  // ---- Notification delivery by e-mail and webhook
  DeliverySettings& d = options.delivery;
  d.interval = flags.Duration("delivery_interval", d.interval,
                              "how often due notification e-mails and webhooks are sent",
                              absl::Milliseconds(10), absl::Hours(1));
  d.max_attempts = flags.Int("delivery_max_attempts", d.max_attempts,
                             "attempts before a notification e-mail or webhook is given up", 1,
                             100);
  d.claim_lease = flags.Duration("delivery_claim_lease", d.claim_lease,
                                 "how long a sender's claim keeps other replicas off a delivery "
                                 "(longer than --smtp_timeout)",
                                 absl::Seconds(1), absl::Hours(1));
  d.language = flags.String("notification_language", d.language,
                            "language of notification e-mails: zh or en");
  d.time_zone = g.time_zone;
  d.email = !options.smtp.url.empty();

  // ---- Retention
  RetentionSettings& r = options.retention;
  r.retention = flags.Duration("notification_retention", r.retention,
                               "how long read notifications and finished e-mail and webhook "
                               "deliveries are kept (unread ones are kept however old)",
                               absl::Hours(24), absl::Hours(24 * 3650));
  r.interval = flags.Duration("retention_interval", r.interval,
                              "how often old notifications and deliveries are deleted",
                              absl::Seconds(1), absl::Hours(24));
  return options;
}

}  // namespace crm::activities
