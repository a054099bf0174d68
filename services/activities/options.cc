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
  return options;
}

}  // namespace crm::activities
