#include "tools/crmctl/activities_demo.h"

namespace crm::crmctl {

namespace act = activities::v1;

// Append, never rename: request ids are derived from the keys. Customers 0, 1, 2 and 3 belong
// to li.lei, han.meimei, wang.fang and li.lei (DemoOwnerOf).
const std::vector<DemoActivity>& DemoActivities() {
  static const auto* list = new std::vector<DemoActivity>{
      {"call-li-1", 0, act::CALL, act::OUTBOUND, "2026-11-02T02:00:00Z", 900, "已接通",
       "介绍了新款激光打印机，客户关心耗材成本。", "周五前发送报价"},
      {"visit-li-1", 0, act::VISIT, act::OUTBOUND, "2026-11-05T06:30:00Z", 5400, "演示完成",
       "上门演示 LJ-2200N，采购经理和 IT 主管参加。", "跟进采购流程"},
      {"email-han-1", 1, act::EMAIL, act::INBOUND, "2026-11-03T01:15:00Z", 0, "询价",
       "客户来信询问 CRM 专业版 50 用户的价格。", "安排线上演示"},
      {"meeting-wang-1", 2, act::MEETING, act::OUTBOUND, "2026-11-04T08:00:00Z", 3600,
       "need a revised quote", "Projector order review with the facilities team.",
       "Send the revised quote"},
      {"note-li-2", 3, act::NOTE, act::DIRECTION_UNSPECIFIED, "2026-11-06T03:00:00Z", 0, "",
       "办公室搬迁在明年一月，届时需要投影幕布。", ""},
  };
  return *list;
}

const std::vector<DemoTask>& DemoTasks() {
  static const auto* list = new std::vector<DemoTask>{
      {"quote-li", 0, "发送打印机报价", "2026-12-04T09:00:00Z", act::HIGH},
      {"demo-han", 1, "安排 CRM 专业版线上演示", "2026-12-08T02:00:00Z", act::NORMAL},
      {"quote-wang", 2, "Send the revised projector quote", "2026-12-05T08:00:00Z", act::URGENT},
  };
  return *list;
}

}  // namespace crm::crmctl
