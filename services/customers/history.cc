#include "services/customers/history.h"

#include <string_view>

#include "absl/strings/str_join.h"
#include "libs/api/resource.h"
#include "services/customers/dates.h"

namespace crm::customers {
namespace {

// A field of a message as history text: strings as they are, enums by name, booleans as
// "true"/"false", lists one item per line, dates in their one-line form.
std::string FieldText(const google::protobuf::Message& message, std::string_view path) {
  const google::protobuf::Message* owner = &message;
  std::string_view name = path;
  if (const size_t dot = path.find('.'); dot != std::string_view::npos) {
    const auto* sub = message.GetDescriptor()->FindFieldByName(std::string(path.substr(0, dot)));
    owner = &message.GetReflection()->GetMessage(message, sub);
    name = path.substr(dot + 1);
  }
  const google::protobuf::Reflection& r = *owner->GetReflection();
  const google::protobuf::FieldDescriptor* f =
      owner->GetDescriptor()->FindFieldByName(std::string(name));
  using FD = google::protobuf::FieldDescriptor;
  if (f->is_repeated()) {
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      Dates dates;
      for (int i = 0; i < r.FieldSize(*owner, f); ++i) {
        dates.Add()->CopyFrom(r.GetRepeatedMessage(*owner, f, i));
      }
      return FormatDates(dates);
    }
    std::vector<std::string> items;
    for (int i = 0; i < r.FieldSize(*owner, f); ++i) items.push_back(r.GetRepeatedString(*owner, f, i));
    return absl::StrJoin(items, "\n");
  }
  switch (f->cpp_type()) {
    case FD::CPPTYPE_STRING:
      return r.GetString(*owner, f);
    case FD::CPPTYPE_ENUM:
      return r.GetEnum(*owner, f)->name();
    case FD::CPPTYPE_BOOL:
      return r.GetBool(*owner, f) ? "true" : "false";
    default:
      return "";
  }
}

std::vector<HistoryRow> Changes(int64_t customer_id, int64_t contact_id,
                                const google::protobuf::Message& before,
                                const google::protobuf::Message& after,
                                std::initializer_list<std::string_view> paths) {
  std::vector<HistoryRow> rows;
  for (std::string_view path : paths) {
    std::string old_value = FieldText(before, path);
    std::string new_value = FieldText(after, path);
    if (old_value == new_value) continue;
    rows.push_back({.customer_id = customer_id,
                    .contact_id = contact_id,
                    .action = v1::UPDATED,
                    .field = std::string(path),
                    .old_value = std::move(old_value),
                    .new_value = std::move(new_value)});
  }
  return rows;
}

}  // namespace

std::vector<HistoryRow> CustomerChanges(int64_t customer_id, const v1::Customer& before,
                                        const v1::Customer& after) {
  return Changes(customer_id, 0, before, after,
                 {"display_name", "kind", "industry", "size_band", "region.country",
                  "region.province", "region.city", "address", "tags", "emails", "phones",
                  "source", "owner", "notes", "external_id", "dates"});
}

std::vector<HistoryRow> ContactChanges(int64_t customer_id, int64_t contact_id,
                                       const v1::Contact& before, const v1::Contact& after) {
  return Changes(customer_id, contact_id, before, after,
                 {"display_name", "title", "department", "phones", "emails", "dates", "notes",
                  "primary"});
}

std::vector<std::string> ChangedTopLevelPaths(const v1::Customer& before,
                                              const v1::Customer& after) {
  // Output-only fields follow from the others or move on every write.
  static const std::set<std::string>* const kInput = new std::set<std::string>{
      "display_name", "kind",   "industry", "size_band", "region", "address",     "tags",
      "emails",       "phones", "source",   "owner",     "notes",  "external_id", "dates"};
  return api::ChangedPaths(before, after, *kInput);
}

}  // namespace crm::customers
