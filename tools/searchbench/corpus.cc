#include "tools/searchbench/corpus.h"

#include <array>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace crm::searchbench {
namespace {

// splitmix64: a tiny, well-mixed generator whose whole state is the document id, so any
// document can be made on its own.
class Random final {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }
  std::string Digits(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + Below(10)));
    return out;
  }

 private:
  uint64_t state_;
};

constexpr std::array<const char*, 20> kCities = {
    "杭州", "苏州", "上海", "北京", "深圳", "广州", "南京", "宁波", "无锡", "成都",
    "武汉", "西安", "天津", "重庆", "青岛", "厦门", "合肥", "长沙", "郑州", "济南"};
// Brand names are two characters drawn from this pool: 60 × 60 pairs, so one brand
// (精工 among them) is rare, as a real company's name is.
constexpr std::string_view kBrandChars =
    "精工华信恒瑞宏达新科远航东方中兴长城金鼎天成永泰鑫源博雅汇通盛世祥和明德"
    "卓越安泰瑞丰嘉禾润达海川伟业隆昌益民宝利";
constexpr std::array<const char*, 12> kIndustries = {
    "机械", "科技", "电子", "贸易", "化工", "纺织", "食品", "医药", "建材", "物流", "软件", "仪器"};
constexpr std::array<const char*, 3> kCompanySuffixes = {"有限公司", "股份有限公司",
                                                         "集团有限公司"};
constexpr std::array<const char*, 12> kSurnames = {"王", "李", "张", "刘", "陈", "杨",
                                                   "黄", "赵", "吴", "周", "徐", "孙"};
constexpr std::array<const char*, 12> kSurnamesLatin = {
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun"};
constexpr std::array<const char*, 12> kGivenNames = {"芳", "伟", "娜", "敏", "静", "丽",
                                                     "强", "磊", "军", "洋", "勇", "艳"};
constexpr std::array<const char*, 10> kAreaCodes = {"571", "512", "21",  "10",  "755",
                                                    "20",  "25",  "574", "510", "28"};
constexpr std::array<const char*, 6> kDomains = {"example.com",      "example.cn",
                                                 "mail.example.net", "corp.example.org",
                                                 "qq.example.com",   "163.example.com"};
constexpr std::array<const char*, 10> kTags = {"重点客户", "经销商",     "VIP",  "new-lead",
                                               "华东区",   "华南区",     "续约", "OEM",
                                               "展会线索", "key-account"};
constexpr std::array<const char*, 24> kChineseNotes = {
    "客户需要报价，下周回访", "对新产品很感兴趣", "预算有限，需要折扣", "采购经理已确认样品",
    "年底前可能下单",         "要求提供技术参数", "竞争对手价格更低",   "已安排工程师上门",
    "希望延长付款周期",       "上次订单交货延迟", "计划扩大生产线",     "需要增值税专用发票",
    "关注售后服务",           "老客户介绍",       "展会上认识的",       "正在评估供应商",
    "质量问题已解决",         "合同待法务审核",   "需要英文资料",       "月底前发货",
    "客户在外地出差",         "总经理亲自决策",   "想了解批量价格",     "要求试用三个月"};
constexpr std::array<const char*, 96> kEnglishWords = {
    "precision", "bearing",  "pump",      "valve",     "order",    "quote",      "delivery",
    "sample",    "discount", "contract",  "invoice",   "shipment", "warranty",   "service",
    "quality",   "supplier", "customer",  "machine",   "spindle",  "gearbox",    "motor",
    "sensor",    "cable",    "steel",     "aluminium", "plastic",  "packaging",  "logistics",
    "software",  "license",  "training",  "support",   "manager",  "engineer",   "purchase",
    "budget",    "price",    "volume",    "annual",    "monthly",  "urgent",     "follow",
    "meeting",   "visit",    "demo",      "trial",     "renewal",  "upgrade",    "catalogue",
    "brochure",  "factory",  "plant",     "warehouse", "export",   "import",     "customs",
    "payment",   "credit",   "terms",     "schedule",  "lead",     "time",       "stock",
    "inventory", "spare",    "parts",     "repair",    "install",  "commission", "test",
    "report",    "approval", "tender",    "project",   "phase",    "budgetary",  "forecast",
    "pipeline",  "partner",  "dealer",    "region",    "east",     "south",      "north",
    "west",      "central",  "hydraulic", "pneumatic", "valves",   "bearings",   "pumps",
    "motors",    "sensors",  "cables",    "filters",   "seals"};

std::string BrandChar(Random& random) {
  // Each of these is one 3-byte UTF-8 character.
  const size_t count = kBrandChars.size() / 3;
  return std::string(kBrandChars.substr(random.Below(count) * 3, 3));
}

std::string Phone(Random& random) {
  switch (random.Below(3)) {
    case 0:  // mobile, E.164 as the customers service stores it
      return absl::StrCat("+861", 3 + random.Below(7), random.Digits(9));
    case 1:  // landline, E.164
      return absl::StrCat("+86", random.Pick(kAreaCodes), random.Digits(8));
    default: {  // landline as people type it in a note
      const char* area = random.Pick(kAreaCodes);
      std::string digits = random.Digits(8);
      return absl::StrCat("0", area, "-", digits.substr(0, 4), " ", digits.substr(4));
    }
  }
}

std::string EnglishPhrase(Random& random, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    const char* word = random.Pick(kEnglishWords);
    absl::StrAppend(&out, i == 0 ? "" : " ", word);
  }
  return out;
}

}  // namespace

Document MakeDocument(int64_t id) {
  if (id == kHangzhouCompanyId) {
    return {id, "杭州某某科技有限公司",
            "联系人 王芳 电话 +8657188886666 wang.fang@example.com 重点客户 "
            "备注：对 precision bearings 很感兴趣，下周回访"};
  }
  if (id == kSuzhouJinggongId) {
    return {id, "苏州精工机械有限公司",
            "联系人 李伟 电话 0512-6666 8888 li.wei@example.cn 经销商 备注：需要 gearbox 报价"};
  }
  Random random(static_cast<uint64_t>(id));
  Document doc{id, "", ""};
  if (random.Below(10) < 7) {
    doc.title = absl::StrCat(random.Pick(kCities), BrandChar(random), BrandChar(random),
                             random.Pick(kIndustries), random.Pick(kCompanySuffixes));
  } else {
    std::string product = EnglishPhrase(random, 2);
    product[0] = static_cast<char>(product[0] - 'a' + 'A');
    doc.title = absl::StrCat(product, " ", random.Digits(4), " ", random.Pick(kCities), "仓");
  }
  const size_t surname = random.Below(kSurnames.size());
  const char* given = random.Pick(kGivenNames);
  absl::StrAppend(&doc.body, "联系人 ", kSurnames[surname], given, " 电话 ", Phone(random), " ",
                  kSurnamesLatin[surname], ".", random.Digits(3), "@", random.Pick(kDomains), " ",
                  random.Pick(kTags), " 备注：", random.Pick(kChineseNotes), "。",
                  EnglishPhrase(random, 6 + static_cast<int>(random.Below(6))));
  return doc;
}

}  // namespace crm::searchbench
