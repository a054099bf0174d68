#include "services/activities/greeting_job.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::activities {
namespace {

// Greetings looked at per round: enough for a day's dates of a large book of customers; the
// rest wait for the next round.
constexpr int kDuePerRound = 500;

class CustomersServiceDates final : public UpcomingDates {
 public:
  CustomersServiceDates(std::shared_ptr<grpc::Channel> channel,
                        std::shared_ptr<grpc::CallCredentials> credentials, absl::Duration timeout)
      : stub_(customers::v1::CustomerService::NewStub(std::move(channel))),
        credentials_(std::move(credentials)),
        timeout_(timeout) {}

  absl::StatusOr<std::vector<UpcomingDate>> List(int within_days,
                                                 const std::string& time_zone) override {
    std::vector<UpcomingDate> out;
    customers::v1::ListUpcomingDatesRequest request;
    request.set_within_days(within_days);
    request.set_time_zone(time_zone);
    request.set_page_size(1000);
    do {
      customers::v1::ListUpcomingDatesResponse response;
      auto ctx = ClientCall(timeout_, absl::InfiniteFuture(), credentials_);
      CRM_RETURN_IF_ERROR(FromPeer(stub_->ListUpcomingDates(ctx.get(), request, &response),
                                   "the customers service", "CUSTOMERS_UNAVAILABLE"));
      for (const customers::v1::UpcomingDate& d : response.dates()) {
        UpcomingDate date;
        CRM_ASSIGN_OR_RETURN(date.customer_id, api::ParseResourceId(d.customer(), "customers"));
        if (!d.contact().empty()) {
          // "customers/{id}/contacts/{id}"
          const std::string id = d.contact().substr(d.contact().rfind('/') + 1);
          if (!absl::SimpleAtoi(id, &date.contact_id)) {
            return absl::InternalError(absl::StrCat("a contact name without an id: ", d.contact()));
          }
        }
        date.occasion = static_cast<Occasion>(d.date().kind());
        date.label = d.date().label();
        if (!absl::ParseCivilTime(d.next_date(), &date.next_date)) {
          return absl::InternalError(
              absl::StrCat("a next_date that is not a date: ", d.next_date()));
        }
        date.years = d.years();
        date.owner = d.owner();
        date.customer_name = d.customer_display_name();
        date.contact_name = d.contact_display_name();
        date.emails.assign(d.emails().begin(), d.emails().end());
        out.push_back(std::move(date));
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return out;
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
  std::shared_ptr<grpc::CallCredentials> credentials_;
  const absl::Duration timeout_;
};

}  // namespace

std::unique_ptr<UpcomingDates> CustomersUpcomingDates(
    std::shared_ptr<grpc::Channel> channel, std::shared_ptr<grpc::CallCredentials> credentials,
    absl::Duration call_timeout) {
  return std::make_unique<CustomersServiceDates>(std::move(channel), std::move(credentials),
                                                 call_timeout);
}

absl::StatusOr<std::unique_ptr<GreetingScheduler>> GreetingScheduler::Create(
    GreetingStore& store, UpcomingDates& dates, mail::Mailer& mailer, const Clock& clock,
    GreetingSettings settings) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(settings.time_zone, &zone)) {
    return InvalidField("company_time_zone", "is not an IANA time zone");
  }
  return std::unique_ptr<GreetingScheduler>(
      new GreetingScheduler(store, dates, mailer, clock, std::move(settings), zone));
}

absl::CivilDay GreetingScheduler::Today() const { return absl::ToCivilDay(clock_.Now(), zone_); }

absl::StatusOr<int> GreetingScheduler::Plan() {
  CRM_ASSIGN_OR_RETURN(std::vector<UpcomingDate> dates,
                       dates_.List(settings_.lead_days, settings_.time_zone));
  int planned = 0;
  for (const UpcomingDate& d : dates) {
    PlannedGreeting g{.customer_id = d.customer_id,
                      .contact_id = d.contact_id,
                      .occasion = d.occasion,
                      .occasion_label = d.occasion == Occasion::kCustom ? d.label : "",
                      .send_date = d.next_date,
                      .years = d.years,
                      .owner = d.owner,
                      .recipient_name = d.contact_id != 0 ? d.contact_name : d.customer_name,
                      .recipient_email = d.emails.empty() ? "" : d.emails.front(),
                      .language = GreetingLanguage(d.language, settings_.default_language)};
    const RenderedGreeting text = RenderGreeting(
        g.occasion, g.language,
        {.contact_name = g.recipient_name,
         .company = d.customer_name,
         .years = d.years,
         .label = d.label.empty() ? (g.language == "zh" ? "纪念日" : "your day") : d.label});
    g.subject = text.subject;
    g.body = text.body;
    CRM_ASSIGN_OR_RETURN(bool written, store_.Plan(g));
    planned += written ? 1 : 0;
  }
  return planned;
}

absl::StatusOr<int> GreetingScheduler::SendDue() {
  // Claims that died after handing their message over are settled first, so that Due never
  // offers them.
  CRM_RETURN_IF_ERROR(store_.MarkLapsedCommitsUncertain().status());
  const absl::CivilDay today = Today();
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> due,
                       store_.Due(today - settings_.grace_days, today, kDuePerRound));
  int sent = 0;
  for (int64_t id : due) {
    GreetingClaim claim;
    CRM_ASSIGN_OR_RETURN(bool won, store_.Claim(id, settings_.claim_lease, &claim));
    if (!won) continue;  // another replica has it, or it was skipped meanwhile
    const absl::Status status = SendClaimed(claim);
    if (status.ok()) {
      ++sent;
    } else {
      log::Warn("greeting not sent",
                {{"greeting", absl::StrCat("greetings/", id)}, {"error", status.ToString()}});
    }
  }
  return sent;
}

absl::Status GreetingScheduler::SendClaimed(const GreetingClaim& claim) {
  CRM_ASSIGN_OR_RETURN(Greeting g, store_.Get(claim.id));
  absl::Status sent;
  if (g.planned.recipient_email.empty()) {
    sent = Error(absl::StatusCode::kFailedPrecondition, "GREETING_NO_ADDRESS",
                 "the customer or contact has no e-mail address");
  } else {
    sent = mailer_.Send(
        {.to = g.planned.recipient_email,
         .to_name = g.planned.recipient_name,
         .subject = g.planned.subject,
         .body = g.planned.body,
         // Stable per greeting: a receiving system that keeps Message-IDs sees one message.
         .message_id =
             absl::StrFormat("greeting-%d-%d@crm.activities", g.id, g.planned.send_date.year())},
        [this, &claim] { return store_.BeginCommit(claim); });
  }
  // A lost claim (ABORTED from BeginCommit) is the new holder's to finish.
  if (ErrorReason(sent) == "GREETING_CLAIM_LOST") return sent;
  CRM_RETURN_IF_ERROR(store_.Finish(claim, sent, settings_.max_attempts));
  return sent;
}

void GreetingScheduler::RunRound() {
  if (absl::StatusOr<int> planned = Plan(); !planned.ok()) {
    log::Warn("greetings not planned", {{"error", planned.status().ToString()}});
  }
  if (!settings_.send) return;
  if (absl::StatusOr<int> sent = SendDue(); !sent.ok()) {
    log::Warn("greetings not sent", {{"error", sent.status().ToString()}});
  }
}

void GreetingJob::Start() {
  thread_ = std::thread([this] {
    while (true) {
      scheduler_.RunRound();
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
      if (stopping_) return;
    }
  });
}

void GreetingJob::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace crm::activities
