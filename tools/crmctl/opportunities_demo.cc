#include "tools/crmctl/opportunities_demo.h"

namespace crm::crmctl {

using crm::opportunities::v1::CAMPAIGN;
using crm::opportunities::v1::COLD_CALL;
using crm::opportunities::v1::CONTACTED;
using crm::opportunities::v1::NEW;
using crm::opportunities::v1::PARTNER;
using crm::opportunities::v1::QUALIFIED;
using crm::opportunities::v1::REFERRAL;
using crm::opportunities::v1::TRADE_SHOW;
using crm::opportunities::v1::WEBSITE;

// Append, never reorder or re-key: the keys are request ids of an existing stack's records.
const std::vector<DemoLead>& DemoLeads() {
  static const auto* leads = new std::vector<DemoLead>{
      {"expo-01", "zhou.jie", "无锡太湖精密模具有限公司", "钱志强", "0510-8233 6688",
       "qian.zq@taihu-mould.cn", "制造业", CAMPAIGN, "2026-spring-expo", NEW, false, 0},
      {"expo-02", "zhou.jie", "合肥科创电子有限公司", "孙丽", "0551-6288 1234",
       "sunli@kechuang-elec.cn", "电子", CAMPAIGN, "2026-spring-expo", CONTACTED, false, 0},
      {"expo-03", "zhou.jie", "", "马超", "138 0571 2345", "ma.chao@example.cn", "", CAMPAIGN,
       "2026-spring-expo", NEW, false, 0},
      {"web-01", "li.lei", "嘉兴南湖物流有限公司", "吴敏", "0573-8222 9999",
       "wumin@nanhu-logistics.cn", "物流", WEBSITE, "", QUALIFIED, true, 18000000},
      {"ref-01", "han.meimei", "绍兴黄酒集团销售有限公司", "郑华", "0575-8511 2233",
       "zheng.hua@huangjiu.cn", "食品饮料", REFERRAL, "", CONTACTED, false, 0},
  };
  return *leads;
}

// Customer 6, 13, 20, ... belong to marketing (DemoOwnerOf), so none is used here.
const std::vector<DemoOpportunity>& DemoOpportunities() {
  static const auto* opportunities = new std::vector<DemoOpportunity>{
      {"yunfan-crm", 0, "云帆科技 CRM 专业版 200 用户", "CNY", 48000000, "Negotiation",
       DemoOutcome::kOpen, 20, TRADE_SHOW, {"CRM-PRO"}, "Salesforce", ""},
      {"donghai-cnc", 1, "东海制造 数控产线扩建", "CNY", 186000000, "Proposal", DemoOutcome::kOpen,
       45, REFERRAL, {"CNC-VM850", "CNC-L300"}, "大连机床", ""},
      {"jinggong-sensors", 2, "精工机械 温度监测改造", "CNY", 6400000, "Needs Analysis",
       DemoOutcome::kOpen, 60, TRADE_SHOW, {"SENS-T100"}, "", ""},
      {"baiwei-printers", 3, "百味零售 门店打印机更换", "CNY", 9899000, "Qualification",
       DemoOutcome::kOpen, 75, WEBSITE, {"LJ-2200N"}, "", ""},
      {"qianhai-cloud", 4, "前海智能 云数据库迁移", "CNY", 10788000, "Prospecting",
       DemoOutcome::kOpen, 90, COLD_CALL, {"CLOUD-DB", "CLOUD-BACKUP"}, "阿里云", ""},
      {"tianhe-projectors", 5, "天河贸易 会议室投影", "CNY", 1799700, "Proposal",
       DemoOutcome::kWon, -10, WEBSITE, {"PJ-800"}, "", ""},
      {"zgc-crm-ent", 7, "中关村软件 CRM 企业版", "USD", 7200000, "Negotiation",
       DemoOutcome::kWon, -5, PARTNER, {"CRM-ENT"}, "", ""},
      {"tianfu-printers", 8, "天府餐饮 后厨打印", "CNY", 2599800, "Qualification",
       DemoOutcome::kLost, -20, COLD_CALL, {"INK-C500"}, "某国产品牌", "价格高于竞品"},
      {"guanggu-backup", 9, "光谷生物 异地备份", "CNY", 3998000, "Needs Analysis",
       DemoOutcome::kOpen, 30, REFERRAL, {"CLOUD-BACKUP"}, "", ""},
      {"xihu-crm", 10, "西湖茶叶 CRM 标准版", "CNY", 2400000, "Proposal", DemoOutcome::kLost,
       -3, WEBSITE, {"CRM-STD"}, "", "客户推迟预算到明年"},
      {"haifeng-projector", 11, "海风传媒 工程投影", "CNY", 3799800, "Negotiation",
       DemoOutcome::kOpen, 10, TRADE_SHOW, {"PJ-1200L", "PJ-SCREEN"}, "", ""},
  };
  return *opportunities;
}

}  // namespace crm::crmctl
