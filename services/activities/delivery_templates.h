// The e-mail of a notification: a subject and a plain-text body per notification kind, in
// Chinese or English. The notification's own title and body (written in English by the
// feeds) are quoted inside the language's frame, so a user reads what happened in their
// language and the details as the inbox shows them.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "crm/activities/v1/activities.pb.h"

namespace crm::activities {

struct RenderedMail {
  std::string subject;
  std::string body;
};

// `language` "zh" or "en" (anything else: "en"); times are shown in `zone`.
RenderedMail RenderNotificationMail(const v1::Notification& n, const std::string& language,
                                    absl::TimeZone zone);

}  // namespace crm::activities
