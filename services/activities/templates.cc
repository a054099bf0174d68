#include "services/activities/templates.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace crm::activities {
namespace {

struct Template {
  const char* subject;
  const char* body;
};

// {years_phrase} is the template's own wording for "the Nth" (empty when the year is unknown).
Template Find(Occasion occasion, bool zh, bool with_years) {
  switch (occasion) {
    case Occasion::kBirthday:
      return zh ? Template{"祝{contact_name}生日快乐",
                           "{contact_name}您好：\n\n值此生日之际，谨代表{sender}向您致以最诚挚的"
                           "祝福，祝您身体健康，万事如意！\n\n感谢您一直以来对我们的信任与支持。\n"
                           "{signature}"}
                : Template{"Happy birthday, {contact_name}",
                           "Dear {contact_name},\n\nOn behalf of {sender}, warmest wishes on your "
                           "birthday. May the year ahead bring you health and success.\n\n"
                           "Thank you for your continued trust.\n{signature}"};
    case Occasion::kCompanyAnniversary:
      if (with_years) {
        return zh ? Template{"热烈祝贺{company}成立{years}周年",
                             "{contact_name}您好：\n\n欣闻{company}成立{years}周年，谨致热烈祝贺！"
                             "祝贵公司事业蒸蒸日上，我们的合作更上一层楼。\n{signature}"}
                  : Template{"Congratulations on {company}'s {years_ordinal} anniversary",
                             "Dear {contact_name},\n\nCongratulations on {company}'s "
                             "{years_ordinal} anniversary! We wish you continued success and "
                             "look forward to many more years of working together.\n{signature}"};
      }
      return zh ? Template{"热烈祝贺{company}周年庆",
                           "{contact_name}您好：\n\n值此{company}周年庆之际，谨致热烈祝贺！"
                           "祝贵公司事业蒸蒸日上。\n{signature}"}
                : Template{"Happy anniversary, {company}",
                           "Dear {contact_name},\n\nCongratulations on {company}'s anniversary! "
                           "We wish you continued success.\n{signature}"};
    case Occasion::kFirstDealAnniversary:
      if (with_years) {
        return zh ? Template{"感谢{company}与我们携手{years}年",
                             "{contact_name}您好：\n\n今天是我们与{company}首次合作{years}周年。"
                             "感谢您{years}年来的信任与支持，期待未来继续携手共进！\n{signature}"}
                  : Template{"{years} years together with {company}",
                             "Dear {contact_name},\n\nToday marks {years} years since our first "
                             "order together. Thank you for your trust, and here's to the years "
                             "ahead.\n{signature}"};
      }
      return zh ? Template{"感谢{company}一路同行",
                           "{contact_name}您好：\n\n今天是我们与{company}首次合作的纪念日。"
                           "感谢您的信任与支持，期待未来继续携手共进！\n{signature}"}
                : Template{"Another year together with {company}",
                           "Dear {contact_name},\n\nToday is the anniversary of our first order "
                           "together. Thank you for your trust.\n{signature}"};
    case Occasion::kCustom:
      break;
  }
  return zh ? Template{"{label}快乐",
                       "{contact_name}您好：\n\n值此{label}，谨致以诚挚的祝福！\n"
                       "{signature}"}
            : Template{"Best wishes on {label}",
                       "Dear {contact_name},\n\nBest wishes on {label}!\n{signature}"};
}

std::string Ordinal(int n) {
  const int tens = n % 100;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    switch (n % 10) {
      case 1:
        suffix = "st";
        break;
      case 2:
        suffix = "nd";
        break;
      case 3:
        suffix = "rd";
        break;
      default:
        break;
    }
  }
  return absl::StrCat(n, suffix);
}

}  // namespace

std::string GreetingLanguage(absl::string_view language, absl::string_view fallback) {
  const std::string primary =
      absl::AsciiStrToLower(language.substr(0, language.find_first_of("-_")));
  if (primary == "zh" || primary == "en") return primary;
  return std::string(fallback);
}

RenderedGreeting RenderGreeting(Occasion occasion, absl::string_view language,
                                const TemplateValues& values) {
  const bool zh = language != "en";
  const Template t = Find(occasion, zh, values.years > 0);
  // The sender is the rep when known, else the company side in general words.
  const std::string sender =
      !values.rep_name.empty() ? values.rep_name : (zh ? "我们" : "all of us");
  const std::string signature = values.rep_name.empty()
                                    ? ""
                                    : (zh ? absl::StrCat("\n", values.rep_name, " 敬上")
                                          : absl::StrCat("\nBest regards,\n", values.rep_name));
  // Placeholders are replaced once, left to right, so a value containing "{company}" is
  // never expanded again.
  const std::vector<std::pair<const absl::string_view, std::string>> replacements = {
      {"{contact_name}", values.contact_name},
      {"{company}", values.company},
      {"{rep_name}", values.rep_name},
      {"{years}", absl::StrCat(values.years)},
      {"{years_ordinal}", Ordinal(values.years)},
      {"{label}", values.label},
      {"{sender}", sender},
      {"{signature}", signature},
  };
  return {.subject = absl::StrReplaceAll(t.subject, replacements),
          .body = absl::StrReplaceAll(t.body, replacements)};
}

}  // namespace crm::activities
