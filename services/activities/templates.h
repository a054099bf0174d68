// The built-in greeting templates: one per occasion and language (zh, en), with placeholders
// {contact_name}, {company}, {rep_name} and {years}. The rep may edit a greeting's rendered
// text before it is sent (GreetingStore::Edit); the templates are only its first draft.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace crm::activities {

// The occasions a yearly date can be (the numbers are stored: greetings.occasion).
enum class Occasion : int {
  kBirthday = 1,
  kCompanyAnniversary = 2,
  kFirstDealAnniversary = 3,
  kCustom = 4,
};

struct TemplateValues {
  std::string contact_name;  // who is greeted: the contact's name, or the customer's
  std::string company;       // the customer's name
  std::string rep_name;      // who greets: the customer's owner (empty: the signature drops)
  int years = 0;             // which anniversary (0: unknown, the phrases without it are used)
  std::string label;         // a custom date's label ("结婚纪念日")
};

struct RenderedGreeting {
  std::string subject;
  std::string body;
};

// "zh" or "en": `language` when it is one of them (its primary subtag: "zh-CN" is zh),
// else `fallback`.
std::string GreetingLanguage(absl::string_view language, absl::string_view fallback);

// The template of `occasion` in `language` ("zh" or "en") with `values` put in.
RenderedGreeting RenderGreeting(Occasion occasion, absl::string_view language,
                                const TemplateValues& values);

}  // namespace crm::activities
