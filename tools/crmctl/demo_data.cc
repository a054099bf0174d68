#include "tools/crmctl/demo_data.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

namespace crm::crmctl {
namespace {

using crm::customers::v1::COMPANY;
using crm::customers::v1::CreateCustomerRequest;
using crm::customers::v1::CustomerKind;
using crm::customers::v1::ENTERPRISE;
using crm::customers::v1::LARGE;
using crm::customers::v1::MEDIUM;
using crm::customers::v1::MICRO;
using crm::customers::v1::PERSON;
using crm::customers::v1::SizeBand;
using crm::customers::v1::SMALL;

// People have no head count.
constexpr SizeBand kPerson = crm::customers::v1::SIZE_BAND_UNSPECIFIED;

struct DemoRow {
  std::string_view display_name;
  CustomerKind kind;
  std::string_view industry;
  SizeBand size_band;
  std::string_view country;
  std::string_view province;
  std::string_view city;
  // Written the way people type them (national or international format); the service
  // normalises them to E.164 using `country` as the default region.
  std::string_view phone;
  std::string_view email;
  std::string_view tags;  // comma-separated
  std::string_view source;
};

// The order is part of the contract: row N is "demo-owned-customer-00N". Append, never reorder,
// or a re-run against an existing stack would reuse an id for a different customer.
constexpr DemoRow kRows[] = {
    {"杭州云帆科技有限公司", COMPANY, "软件", MEDIUM, "CN", "浙江", "杭州", "0571-8888 6666",
     "contact@yunfan-tech.cn", "vip,key_account", "trade_show"},
    {"宁波东海制造股份有限公司", COMPANY, "制造业", LARGE, "CN", "浙江", "宁波", "0574-8765 4321",
     "sales@donghai-mfg.cn", "key_account", "referral"},
    {"苏州精工机械有限公司", COMPANY, "制造业", MEDIUM, "CN", "江苏", "苏州", "0512-6523 1234",
     "info@jinggong-machinery.cn", "", "trade_show"},
    {"南京百味零售连锁有限公司", COMPANY, "零售", LARGE, "CN", "江苏", "南京", "025-8456 7890",
     "service@baiwei-retail.cn", "vip", "website"},
    {"深圳前海智能硬件有限公司", COMPANY, "制造业", ENTERPRISE, "CN", "广东", "深圳",
     "0755-8666 1234", "bd@qianhai-iot.cn", "vip,key_account", "cold_call"},
    {"广州天河贸易有限公司", COMPANY, "批发贸易", SMALL, "CN", "广东", "广州", "020-3888 5678",
     "trade@tianhe-trading.cn", "new", "website"},
    {"上海浦江金融信息服务有限公司", COMPANY, "金融", LARGE, "CN", "上海", "上海", "021-6888 1234",
     "it@pujiang-fin.cn", "key_account", "referral"},
    {"北京中关村软件有限公司", COMPANY, "软件", ENTERPRISE, "CN", "北京", "北京", "010-8288 8888",
     "partner@zgc-soft.cn", "vip", "trade_show"},
    {"成都天府餐饮管理有限公司", COMPANY, "餐饮", MEDIUM, "CN", "四川", "成都", "028-8555 6666",
     "purchase@tianfu-food.cn", "", "cold_call"},
    {"武汉光谷生物科技有限公司", COMPANY, "医疗健康", SMALL, "CN", "湖北", "武汉", "027-8777 1234",
     "office@guanggu-bio.cn", "new", "website"},
    {"杭州西湖茶叶有限公司", COMPANY, "零售", MICRO, "CN", "浙江", "杭州", "0571-8702 1234",
     "tea@xihu-tea.cn", "new", "referral"},
    {"厦门海风文化传媒有限公司", COMPANY, "传媒", MICRO, "CN", "福建", "厦门", "0592-555 1234",
     "hello@haifeng-media.cn", "", "website"},
    {"张伟", PERSON, "零售", kPerson, "CN", "浙江", "杭州", "138 0013 8000",
     "zhang.wei@example.com", "vip", "referral"},
    {"李娜", PERSON, "软件", kPerson, "CN", "上海", "上海", "139 1234 5678", "li.na@example.com",
     "", "website"},
    {"王芳", PERSON, "教育", kPerson, "CN", "北京", "北京", "186 1000 2000",
     "wang.fang@example.com", "new", "trade_show"},
    {"刘洋", PERSON, "制造业", kPerson, "CN", "江苏", "苏州", "150 5123 4567",
     "liu.yang@example.com", "new", "cold_call"},
    {"陈静", PERSON, "零售", kPerson, "CN", "广东", "深圳", "135 1234 5678",
     "chen.jing@example.com", "vip", "referral"},
    {"赵磊", PERSON, "物流", kPerson, "CN", "浙江", "宁波", "187 5800 1234", "zhao.lei@example.com",
     "", "website"},
    {"Acme Manufacturing Inc.", COMPANY, "Manufacturing", LARGE, "US", "California", "San Jose",
     "+1 408-996-1010", "purchasing@acme-mfg.example", "key_account", "trade_show"},
    {"Globex Software LLC", COMPANY, "Software", ENTERPRISE, "US", "California", "Mountain View",
     "+1 650-253-0000", "it@globex.example", "vip,key_account", "referral"},
    {"Initech Retail Group", COMPANY, "Retail", MEDIUM, "US", "Texas", "Austin", "+1 512-474-1234",
     "ops@initech.example", "", "cold_call"},
    {"Contoso Healthcare", COMPANY, "Healthcare", LARGE, "US", "New York", "New York",
     "+1 212-736-3100", "procurement@contoso.example", "new", "website"},
    {"Northwind Traders Ltd", COMPANY, "Wholesale", SMALL, "GB", "England", "London",
     "+44 20 7946 0958", "orders@northwind.example", "", "trade_show"},
    {"Umbrella Logistics GmbH", COMPANY, "Logistics", MEDIUM, "DE", "Bayern", "München",
     "+49 89 12345678", "kontakt@umbrella-logistik.example", "new", "referral"},
    {"Sakura Electronics K.K.", COMPANY, "Manufacturing", ENTERPRISE, "JP", "東京都", "東京",
     "+81 3-1234-5678", "sales@sakura-elec.example", "key_account", "trade_show"},
    {"Lion City Foods Pte Ltd", COMPANY, "Retail", SMALL, "SG", "", "Singapore", "+65 6123 4567",
     "buy@lioncityfoods.example", "", "website"},
    {"Emily Johnson", PERSON, "Software", kPerson, "US", "California", "San Francisco",
     "+1 415-693-0102", "emily.johnson@example.com", "vip", "referral"},
    {"Michael Brown", PERSON, "Manufacturing", kPerson, "US", "Michigan", "Detroit",
     "+1 313-222-3000", "michael.brown@example.com", "", "cold_call"},
    {"Sophie Martin", PERSON, "Retail", kPerson, "FR", "Île-de-France", "Paris",
     "+33 1 42 68 53 00", "sophie.martin@example.fr", "new", "website"},
    {"David Chen 陈大卫", PERSON, "Software", kPerson, "US", "California", "Palo Alto",
     "+1 650-213-4567", "david.chen@example.com", "key_account", "referral"},
};

}  // namespace

std::vector<CreateCustomerRequest> DemoCustomerRequests() {
  std::vector<CreateCustomerRequest> requests;
  requests.reserve(std::size(kRows));
  int number = 0;
  for (const DemoRow& row : kRows) {
    CreateCustomerRequest& request = requests.emplace_back();
    char id[32];
    std::snprintf(id, sizeof(id), "demo-owned-customer-%03d", ++number);
    request.set_request_id(id);
    auto* customer = request.mutable_customer();
    customer->set_display_name(std::string(row.display_name));
    customer->set_kind(row.kind);
    customer->set_industry(std::string(row.industry));
    customer->set_size_band(row.size_band);
    customer->mutable_region()->set_country(std::string(row.country));
    customer->mutable_region()->set_province(std::string(row.province));
    customer->mutable_region()->set_city(std::string(row.city));
    customer->add_phones(std::string(row.phone));
    customer->add_emails(std::string(row.email));
    for (std::string_view rest = row.tags; !rest.empty();) {
      const size_t comma = std::min(rest.find(','), rest.size());
      customer->add_tags(std::string(rest.substr(0, comma)));
      rest.remove_prefix(std::min(comma + 1, rest.size()));
    }
    customer->set_source(std::string(row.source));
    // A few companies have dates worth a greeting (ListUpcomingDates has something to show).
    if (number <= 3) {
      auto* anniversary = customer->add_dates();
      anniversary->set_kind(number == 2 ? crm::customers::v1::FIRST_DEAL_ANNIVERSARY
                                        : crm::customers::v1::COMPANY_ANNIVERSARY);
      anniversary->set_calendar(crm::customers::v1::GREGORIAN);
      anniversary->set_year(2010 + number);
      anniversary->set_month(3 * number);
      anniversary->set_day(10 + number);
      anniversary->set_yearly(true);
    }
  }
  return requests;
}

namespace {

struct DemoContactRow {
  size_t customer_index;
  std::string_view display_name;
  std::string_view title;
  std::string_view department;
  std::string_view phone;
  std::string_view email;
  bool primary;
  // A yearly birthday; calendar CHINESE_LUNAR for those kept that way. month 0: none.
  crm::customers::v1::Calendar calendar;
  int month;
  int day;
};

constexpr DemoContactRow kContactRows[] = {
    {0, "张伟", "总经理", "管理层", "138 1234 5678", "zhangwei@yunfan-tech.cn", true,
     crm::customers::v1::CHINESE_LUNAR, 8, 15},
    {0, "李娜", "采购经理", "采购部", "139 8765 4321", "lina@yunfan-tech.cn", false,
     crm::customers::v1::GREGORIAN, 3, 12},
    {1, "陈刚", "设备部主任", "设备部", "0574-8765 4322", "chengang@donghai-mfg.cn", true,
     crm::customers::v1::GREGORIAN, 0, 0},
    {2, "王强", "技术总监", "技术部", "135 1234 8888", "wangqiang@jinggong-machinery.cn", true,
     crm::customers::v1::CHINESE_LUNAR, 1, 6},
};

}  // namespace

std::vector<DemoContact> DemoContactRequests() {
  std::vector<DemoContact> contacts;
  int number = 0;
  for (const DemoContactRow& row : kContactRows) {
    DemoContact& out = contacts.emplace_back();
    out.customer_index = row.customer_index;
    char id[32];
    std::snprintf(id, sizeof(id), "demo-contact-%03d", ++number);
    out.request.set_request_id(id);
    auto* contact = out.request.mutable_contact();
    contact->set_display_name(std::string(row.display_name));
    contact->set_title(std::string(row.title));
    contact->set_department(std::string(row.department));
    contact->add_phones(std::string(row.phone));
    contact->add_emails(std::string(row.email));
    contact->set_primary(row.primary);
    if (row.month != 0) {
      auto* birthday = contact->add_dates();
      birthday->set_kind(crm::customers::v1::BIRTHDAY);
      birthday->set_calendar(row.calendar);
      birthday->set_month(row.month);
      birthday->set_day(row.day);
      birthday->set_yearly(true);
    }
  }
  return contacts;
}

std::vector<DemoUser> DemoUsers() {
  using crm::auth::v1::MARKETING;
  using crm::auth::v1::SALES_MANAGER;
  using crm::auth::v1::SALES_REP;
  using crm::auth::v1::SUPPORT;
  return {
      {"wang.fang", "王芳", SALES_MANAGER, true},
      {"li.lei", "李雷", SALES_REP, true},
      {"han.meimei", "韩梅梅", SALES_REP, true},
      {"zhou.jie", "周杰", MARKETING, false},
      {"chen.jing", "陈静", SUPPORT, false},
  };
}

std::string_view DemoOwnerOf(size_t customer_index) {
  if (customer_index % 7 == 6) return "zhou.jie";
  static constexpr std::string_view kSellers[] = {"li.lei", "han.meimei", "wang.fang"};
  return kSellers[customer_index % 3];
}

}  // namespace crm::crmctl
