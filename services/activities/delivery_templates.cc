#include "services/activities/delivery_templates.h"

#include "absl/strings/str_cat.h"
#include "libs/base/time.h"

namespace crm::activities {
namespace {

struct Heading {
  const char* zh;
  const char* en;
};

Heading HeadingOf(v1::NotificationKind kind) {
  switch (kind) {
    case v1::ORDER_STATUS_CHANGED:
      return {"订单状态变更", "Order status changed"};
    case v1::APPROVAL_WANTED:
      return {"待您审批", "Approval wanted"};
    case v1::APPROVAL_ESCALATED:
      return {"审批已升级给您", "Approval escalated to you"};
    case v1::APPROVAL_DECIDED:
      return {"审批结果", "Approval decided"};
    case v1::TASK_ASSIGNED:
      return {"新任务", "Task assigned to you"};
    case v1::ORDER_RETURN:
      return {"退货", "Order return"};
    case v1::TASK_REMINDER:
      return {"任务提醒", "Task reminder"};
    case v1::TASK_ESCALATED:
      return {"逾期任务", "Overdue task"};
    default:
      return {"通知", "Notification"};
  }
}

}  // namespace

RenderedMail RenderNotificationMail(const v1::Notification& n, const std::string& language,
                                    absl::TimeZone zone) {
  const Heading heading = HeadingOf(n.kind());
  const std::string when =
      absl::FormatTime("%Y-%m-%d %H:%M %Z", FromTimestamp(n.create_time()), zone);
  const std::string details = n.body().empty() ? "" : absl::StrCat(n.body(), "\n\n");
  if (language == "zh") {
    return {.subject = absl::StrCat("【CRM】", heading.zh, "：", n.title()),
            .body = absl::StrCat("您好：\n\n", heading.zh, "：", n.title(), "\n\n", details,
                                 "相关记录：", n.resource(), "\n时间：", when,
                                 "\n\n此邮件由 CRM 系统自动发送。如不想再收到此类邮件，请在"
                                 "通知设置中关闭邮件通知。\n")};
  }
  return {.subject = absl::StrCat("[CRM] ", heading.en, ": ", n.title()),
          .body = absl::StrCat("Hello,\n\n", heading.en, ": ", n.title(), "\n\n", details,
                               "Record: ", n.resource(), "\nTime: ", when,
                               "\n\nSent by the CRM. To stop these e-mails, turn e-mail off "
                               "for this topic in your notification settings.\n")};
}

}  // namespace crm::activities
