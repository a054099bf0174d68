#include "tools/crmctl/knowledge_demo.h"

#include "absl/time/civil_time.h"

namespace crm::crmctl {

absl::Time DemoPriceAnchor() {
  return absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());
}

absl::Time DemoEffectiveTime(const DemoPrice& price) {
  return DemoPriceAnchor() - absl::Hours(24) * price.days_ago;
}

// The order is part of the contract, as for the demo customers: request ids are derived
// from keys and SKUs, so never rename an entry; append new ones.
const std::vector<DemoCategory>& DemoCategories() {
  static const auto* categories = new std::vector<DemoCategory>{
      {"office", "办公设备", ""},
      {"printers", "打印机", "office"},
      {"projectors", "投影仪", "office"},
      {"software", "软件", ""},
      {"crm", "CRM 许可", "software"},
      {"cloud", "云服务", "software"},
      {"industrial", "工业设备", ""},
      {"cnc", "数控机床", "industrial"},
      {"sensors", "工业传感器", "industrial"},
      {"services", "服务", ""},
  };
  return *categories;
}

const std::vector<DemoProduct>& DemoProducts() {
  static const auto* products = new std::vector<DemoProduct>{
      {"LJ-2200N", "激光打印机 LJ-2200N", "printers", "台",
       "黑白激光打印机，适合 10 人以内的办公室。",
       {"每分钟 30 页", "自动双面打印", "有线和无线网络"},
       // A price cut a month ago, after a promotion price three months earlier.
       {{"CNY", 329900, 120}, {"CNY", 319900, 90}, {"CNY", 299900, 30}}},
      {"LJ-3500DN", "双面激光打印机 LJ-3500DN", "printers", "台",
       "部门级黑白激光打印机，大容量纸盒。", {"每分钟 45 页", "550 页纸盒"},
       {{"CNY", 459900, 0}}},
      {"INK-C500", "彩色喷墨打印机 C500", "printers", "台", "彩色喷墨，适合宣传资料小批量打印。",
       {"六色墨水", "A3 幅面"}, {{"CNY", 129900, 0}}},
      {"INK-CART-K", "黑色墨盒（C500 适用）", "printers", "个", "C500 原装黑色墨盒。", {},
       {{"CNY", 19900, 0}}},
      {"PJ-800", "会议室投影仪 PJ-800", "projectors", "台", "3600 流明，适合 20 人会议室。",
       {"1080p", "无线投屏"}, {{"CNY", 599900, 0}, {"USD", 89900, 0}}},
      {"PJ-1200L", "激光工程投影仪 PJ-1200L", "projectors", "台",
       "激光光源工程投影仪，适合礼堂和展厅。", {"12000 流明", "光源寿命 20000 小时"},
       {{"CNY", 1899900, 0}}},
      {"PJ-SCREEN", "电动投影幕 120 寸", "projectors", "幅", "遥控升降的电动幕布。", {},
       {{"CNY", 159900, 0}}},
      {"CRM-STD", "CRM 标准版许可", "crm", "用户·年", "客户、线索和商机管理。",
       {"客户管理", "线索管理", "移动端"}, {{"CNY", 120000, 0}, {"USD", 18000, 0}}},
      {"CRM-PRO", "CRM 专业版许可", "crm", "用户·年", "在标准版之上增加预测、审批和报表。",
       {"销售预测", "折扣审批", "自定义报表"},
       // Raised two months ago.
       {{"CNY", 220000, 200}, {"USD", 33000, 200}, {"CNY", 240000, 60}, {"USD", 36000, 60}}},
      {"CRM-ENT", "CRM 企业版许可", "crm", "用户·年", "多组织、单点登录和开放接口。",
       {"单点登录", "开放 API", "多组织"}, {{"CNY", 480000, 0}, {"USD", 72000, 0}}},
      {"CLOUD-DB", "云数据库（月）", "cloud", "实例·月", "托管 MariaDB，含自动备份。",
       {"自动备份", "只读副本"}, {{"CNY", 89900, 0}}},
      {"CLOUD-BACKUP", "云备份 1TB（年）", "cloud", "TB·年", "异地加密备份。", {"异地存储", "加密"},
       {{"CNY", 199900, 0}, {"USD", 29900, 0}}},
      {"CNC-VM850", "立式加工中心 VM850", "cnc", "台", "三轴立式加工中心，适合模具加工。",
       {"主轴 12000 rpm", "刀库 24 把"}, {{"CNY", 46800000, 0}}},
      {"CNC-L300", "数控车床 L300", "cnc", "台", "卧式数控车床。", {"最大车削直径 300 mm"},
       {{"CNY", 18600000, 0}}},
      {"SENS-T100", "温度传感器 T100", "sensors", "个", "-40 到 125 摄氏度，精度 0.5 度。", {},
       {{"CNY", 32000, 0}}},
      {"SENS-P200", "压力传感器 P200", "sensors", "个", "0 到 10 MPa 工业压力变送器。", {},
       {{"CNY", 58000, 0}, {"USD", 8500, 0}}},
      {"SENS-GW1", "工业物联网网关 GW1", "sensors", "台", "Modbus 与 OPC UA 采集，上云网关。",
       {"Modbus", "OPC UA", "4G"}, {{"CNY", 360000, 0}, {"USD", 52000, 0}}},
      {"SVC-IMPL", "实施服务", "services", "人·天", "顾问现场实施与数据迁移。", {},
       {{"CNY", 250000, 0}}},
      {"SVC-TRAIN", "现场培训", "services", "天", "一天的用户或管理员培训。", {},
       {{"CNY", 600000, 0}}},
      {"SVC-SUPPORT", "年度支持服务", "services", "年", "7×24 远程支持与版本升级。",
       {"7×24 响应", "版本升级"}, {{"CNY", 1200000, 0}, {"USD", 180000, 0}}},
  };
  return *products;
}

const std::vector<DemoArticle>& DemoArticles() {
  constexpr int kProductKnowledge = 1, kSalesTip = 2, kFaq = 3;
  static const auto* articles = new std::vector<DemoArticle>{
      {"crm-editions", kProductKnowledge, "CRM 三个版本怎么选",
       "## 标准版\n客户、线索和商机管理，适合 20 人以内的销售团队。\n\n"
       "## 专业版\n增加销售预测、折扣审批和自定义报表。\n\n"
       "## 企业版\n多组织、单点登录和开放 API，适合集团客户。",
       {"选型", "crm"}, {"CRM-STD", "CRM-PRO", "CRM-ENT"}, "zhou.jie", "zhou.jie"},
      {"projector-sizing", kProductKnowledge, "会议室投影仪的亮度怎么选",
       "20 人以内的会议室 3000 流明足够；礼堂和展厅选 10000 流明以上的激光工程机。",
       {"选型", "投影"}, {"PJ-800", "PJ-1200L"}, "zhou.jie", "zhou.jie"},
      {"printer-volume-tip", kSalesTip, "先问客户每月打印多少页",
       "月打印量 2000 页以下推荐 LJ-2200N，再多就推荐 LJ-3500DN，顺带报墨盒和保养。",
       {"打印", "话术"}, {"LJ-2200N", "LJ-3500DN"}, "li.lei", "wang.fang"},
      {"year-end-tip", kSalesTip, "年底预算：把年度支持服务一起报",
       "很多客户年底有剩余预算，报价时把年度支持服务和培训一起列上，成交率明显更高。",
       {"报价", "话术"}, {"SVC-SUPPORT", "SVC-TRAIN"}, "han.meimei", "wang.fang"},
      {"faq-invoice", kFaq, "可以开增值税专用发票吗？",
       "可以。下单时在订单备注里填写开票信息，发货后 5 个工作日内寄出。", {"发票"}, {},
       "chen.jing", "wang.fang"},
      {"faq-warranty", kFaq, "数控机床的保修期是多久？",
       "整机保修一年，主轴保修两年；保修期内上门服务免费。", {"售后"}, {"CNC-VM850", "CNC-L300"},
       "chen.jing", "wang.fang"},
      {"faq-licence-en", kFaq, "Can CRM licences be moved to another user?",
       "Yes. An administrator can reassign a licence once a month from the admin console.",
       {"licensing"}, {"CRM-STD", "CRM-PRO", "CRM-ENT"}, "chen.jing", "wang.fang"},
  };
  return *articles;
}

}  // namespace crm::crmctl
