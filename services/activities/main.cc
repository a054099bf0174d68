// crm-activities: its stores, its client of customers, its handlers, and the feeds it follows
// (customers: owners and merges; opportunities: follow-ups due; orders: notifications); the rest
// is the service kit's.
#include "libs/auth/principal.h"
#include "libs/log/log.h"
#include "libs/service/periodic.h"
#include "libs/service/process.h"
#include "services/activities/activity_service.h"
#include "services/activities/campaign_feed.h"
#include "services/activities/campaign_service.h"
#include "services/activities/delivery_job.h"
#include "services/activities/feeds.h"
#include "services/activities/greeting_job.h"
#include "services/activities/greeting_service.h"
#include "services/activities/notification_service.h"
#include "services/activities/options.h"
#include "services/activities/people.h"
#include "services/activities/retention.h"
#include "services/activities/task_scheduler.h"
#include "services/activities/task_service.h"
#include "services/activities/timeline_feed.h"
#include "services/activities/timeline_service.h"

namespace act = crm::activities;

int main(int argc, char** argv) {
  crm::service::Process process(argc, argv, CRM_SERVICE_SPEC);
  const act::Options options = act::ReadOptions(process.flags());
  crm::service::Kit& kit = process.Start();

  act::ActivityStore activities(kit.pool, kit.clock);
  act::TaskStore tasks(kit.pool, kit.clock);
  auto customers =
      act::CustomersServiceDirectory(kit.peers.Channel("customers"), options.call_timeout);
  act::ActivityService activity_service(kit, activities, *customers);
  act::TaskService task_service(kit, tasks, *customers);
  act::NotificationStore notifications(kit.pool);
  act::NotificationWatchers watchers(options.watch_poll_interval);
  process.Run("notification-watchers", watchers);
  act::NotificationPreferenceStore preferences(kit.pool);
  act::DeliveryStore deliveries(kit.pool, kit.clock);
  act::NotificationService notification_service(kit, notifications, watchers, preferences,
                                                deliveries);

  // Who else hears of an order (a rep's manager, support), asked as this service.
  auto auth_people = act::AuthServicePeople(kit.peers.Channel("auth"), kit.service_credentials,
                                            options.call_timeout);
  act::CachedPeople people(*auth_people, options.people_cache_ttl, kit.clock);

  act::TaskScheduler task_scheduler(
      kit.pool, tasks, people, kit.clock, crm::auth::ServicePrincipal(kit.name),
      {.interval = options.task_scheduler_interval,
       .escalation_delay = options.task_escalation_delay});
  process.Run("task-scheduler", task_scheduler);

  // The customer timeline: its store, service and the part of the feeds it keeps.
  act::TimelineStore timeline(kit.pool);
  act::TimelineService timeline_service(kit, timeline, *customers);
  act::TimelineFeed timeline_feed(timeline);
  // Campaigns and visit plans: their store, service, and what they count from the feeds.
  act::CampaignStore campaigns(kit.pool, kit.clock);
  act::CampaignService campaign_service(kit, campaigns, *customers);
  act::CampaignFeed campaign_feed(campaigns);

  act::Feeds feeds(activities, tasks, people, crm::auth::ServicePrincipal(kit.name));
  feeds.Also(timeline_feed).Also(campaign_feed);
  if (options.follow_feeds && kit.service_credentials == nullptr) {
    crm::log::Warn(
        "no --service_secret: the customers, opportunities and orders feeds are not followed");
  } else if (options.follow_feeds) {
    process.Follow(feeds, {{.service = "customers", .types = act::Feeds::CustomerTypes()},
                           {.service = "opportunities", .types = act::Feeds::OpportunityTypes()},
                           {.service = "orders", .types = act::Feeds::OrderTypes()}});
  }

  // ---- Greetings: the scheduler calls customers as this service (ListUpcomingDates).
  act::GreetingStore greetings(kit.pool, kit.clock);
  crm::mail::SmtpMailer mailer(options.smtp, kit.clock);
  auto dates = act::CustomersUpcomingDates(kit.peers.Channel("customers"), kit.service_credentials,
                                           options.call_timeout);
  auto scheduler =
      act::GreetingScheduler::Create(greetings, *dates, mailer, kit.clock, options.greeting);
  if (!scheduler.ok()) {
    crm::log::Error("bad greeting settings", {{"error", scheduler.status().ToString()}});
    return 2;
  }
  act::GreetingJob greeting_job(**scheduler, options.greeting.interval);
  if (options.greetings && kit.service_credentials == nullptr) {
    crm::log::Warn("no --service_secret: greetings are not planned or sent");
  } else if (options.greetings) {
    if (!options.greeting.send) crm::log::Warn("no --smtp_url: greetings are planned, not sent");
    process.Run("greetings", greeting_job);
  }
  // The rep's greetings API; "today" is the company's, as for the scheduler (checked above).
  act::GreetingRecords greeting_records(kit.pool, kit.clock);
  absl::TimeZone company_zone;
  absl::LoadTimeZone(options.greeting.time_zone, &company_zone);
  act::GreetingService greeting_service(kit, greeting_records, company_zone);
  // ---- Notification delivery by e-mail and webhook: every replica sends (claims decide).
  act::NotificationSender sender(deliveries, people, mailer, kit.clock, options.delivery,
                                 &kit.metrics);
  crm::service::PeriodicJob sender_job("notification delivery", options.delivery.interval,
                                       [&] { return sender.RunOnce().status(); });
  if (!options.delivery.email) crm::log::Warn("no --smtp_url: notification e-mails wait");
  process.Run("notification-delivery", sender_job);
  // Read notifications and finished deliveries past --notification_retention, in batches.
  act::NotificationRetention retention(kit.pool, kit.clock, options.retention);
  crm::service::PeriodicJob retention_job("notification retention", options.retention.interval,
                                          [&] { return retention.RunOnce().status(); });
  process.Run("notification-retention", retention_job);

  return process.Serve(
      {&activity_service, &task_service, &notification_service, &timeline_service,
       &campaign_service, &greeting_service});
}
