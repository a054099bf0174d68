#include "libs/api/resource.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/api/internal.h"
#include "libs/grpc/status.h"

namespace crm::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using internal::AsAbsl;

// Canonical decimal for a non-negative int64: digits only, no sign, no leading zero, no
// overflow. One id has exactly one spelling, so names compare equal as strings too.
std::optional<int64_t> ParseCanonicalId(absl::string_view digits, bool allow_zero) {
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return std::nullopt;
  }
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int64_t value;
  if (!absl::SimpleAtoi(digits, &value)) return std::nullopt;  // overflow
  if (value == 0 && !allow_zero) return std::nullopt;
  return value;
}

// Resolves a dotted path against `descriptor`: every segment but the last must be a
// singular message field. nullptr when the path does not exist.
const FieldDescriptor* ResolvePath(const Descriptor* descriptor, absl::string_view path) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view segment : absl::StrSplit(path, '.')) {
    if (field != nullptr) {
      if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return nullptr;
      }
      descriptor = field->message_type();
    }
    field = descriptor->FindFieldByName(std::string(segment));
    if (field == nullptr) return nullptr;
  }
  return field;
}

bool IsUpdatable(const std::string& path, const std::set<std::string>& updatable) {
  if (updatable.count(path) > 0) return true;
  for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
    if (updatable.count(path.substr(0, dot)) > 0) return true;
  }
  return false;
}

// Replaces field `field` of `to` with the one in `from` (same type): cleared when unset
// in `from`, repeated fields and sub-messages replaced wholesale rather than merged.
void ReplaceField(const FieldDescriptor* field, const Message& from, Message* to) {
  to->GetReflection()->ClearField(to, field);
  // Merging a copy that holds only this field covers every field kind (scalars, strings,
  // enums, messages, repeated, oneof members) through protobuf's own copy code.
  std::unique_ptr<Message> only(from.New());
  only->CopyFrom(from);
  const auto* reflection = only->GetReflection();
  std::vector<const FieldDescriptor*> present;
  reflection->ListFields(*only, &present);
  for (const FieldDescriptor* other : present) {
    if (other != field) reflection->ClearField(only.get(), other);
  }
  reflection->MutableUnknownFields(only.get())->Clear();
  to->MergeFrom(*only);
}

void CopyPath(absl::string_view path, const Message& from, Message* to) {
  const Message* source = &from;
  Message* target = to;
  std::vector<absl::string_view> segments = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const FieldDescriptor* field =
        source->GetDescriptor()->FindFieldByName(std::string(segments[i]));
    source = &source->GetReflection()->GetMessage(*source, field);
    target = target->GetReflection()->MutableMessage(target, field);
  }
  const FieldDescriptor* field =
      source->GetDescriptor()->FindFieldByName(std::string(segments.back()));
  ReplaceField(field, *source, target);
}

}  // namespace

std::string EtagFromVersion(int64_t version) { return absl::StrCat("\"", version, "\""); }

absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag, std::string_view field) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    if (auto version =
            ParseCanonicalId(AsAbsl(etag.substr(1, etag.size() - 2)), /*allow_zero=*/true)) {
      return *version;
    }
  }
  return crm::InvalidField(field,
                           "not an etag issued by this service; use the etag from the "
                           "latest read of the resource");
}

absl::StatusOr<int64_t> ParseResourceId(std::string_view name, std::string_view collection,
                                        std::string_view field) {
  const std::string prefix = absl::StrCat(AsAbsl(collection), "/");
  if (name.starts_with(prefix)) {
    if (auto id = ParseCanonicalId(AsAbsl(name.substr(prefix.size())), /*allow_zero=*/false))
      return *id;
  }
  return crm::InvalidField(
      field, absl::StrCat("expected a resource name like \"", AsAbsl(collection), "/123\", got \"",
                          AsAbsl(name.substr(0, 100)), "\""));
}

std::string ResourceName(std::string_view collection, int64_t id) {
  return absl::StrCat(AsAbsl(collection), "/", id);
}

absl::StatusOr<ChildId> ParseChildResourceId(std::string_view name,
                                             std::string_view parent_collection,
                                             std::string_view collection,
                                             std::string_view field) {
  const std::string middle = absl::StrCat("/", AsAbsl(collection), "/");
  const size_t at = name.find(middle);
  if (at != std::string_view::npos) {
    absl::StatusOr<int64_t> parent = ParseResourceId(name.substr(0, at), parent_collection, field);
    absl::StatusOr<int64_t> id = ParseResourceId(name.substr(at + 1), collection, field);
    if (parent.ok() && id.ok()) return ChildId{*parent, *id};
  }
  return crm::InvalidField(
      field, absl::StrCat("expected a resource name like \"", AsAbsl(parent_collection), "/1/",
                          AsAbsl(collection), "/2\", got \"", AsAbsl(name.substr(0, 100)),
                          "\""));
}

bool MaskNames(const google::protobuf::FieldMask& mask, std::string_view path) {
  for (const std::string& p : mask.paths()) {
    if (p == "*" || p == path) return true;
  }
  return false;
}

absl::Status ApplyFieldMask(const google::protobuf::FieldMask& mask,
                            const google::protobuf::Message& from, google::protobuf::Message* to,
                            const std::set<std::string>& updatable) {
  if (from.GetDescriptor() != to->GetDescriptor()) {
    return absl::InternalError("ApplyFieldMask: messages of different types");
  }
  constexpr std::string_view kField = "update_mask";
  if (mask.paths().empty()) {
    return crm::InvalidField(kField, "must name the fields to update (or \"*\" for all)");
  }
  std::vector<std::string> paths;
  if (mask.paths_size() == 1 && mask.paths(0) == "*") {
    paths.assign(updatable.begin(), updatable.end());
  } else {
    crm::Violations violations;
    for (const std::string& path : mask.paths()) {
      if (path == "*") {
        violations.Add(std::string(kField), "\"*\" must be the only path");
      } else if (ResolvePath(from.GetDescriptor(), path) == nullptr) {
        violations.Add(std::string(kField), absl::StrCat("unknown field \"", path, "\""));
      } else if (!IsUpdatable(path, updatable)) {
        violations.Add(std::string(kField), absl::StrCat("field \"", path, "\" cannot be updated"));
      } else {
        paths.push_back(path);
      }
    }
    CRM_RETURN_IF_ERROR(violations.ToStatus("invalid update_mask"));
  }
  for (const std::string& path : paths) {
    // `updatable` comes from the service, so an unknown entry there is a bug, not bad input.
    if (ResolvePath(from.GetDescriptor(), path) == nullptr) {
      return absl::InternalError(absl::StrCat("updatable path \"", path, "\" does not exist"));
    }
    CopyPath(path, from, to);
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(std::string_view request_id, bool required) {
  constexpr size_t kMaxRequestId = 64;
  if (request_id.empty()) {
    return required ? crm::InvalidField("request_id", "is required") : absl::OkStatus();
  }
  if (request_id.size() > kMaxRequestId ||
      !std::all_of(request_id.begin(), request_id.end(), [](unsigned char ch) {
        return absl::ascii_isalnum(ch) || ch == '-' || ch == '_';
      })) {
    return crm::InvalidField("request_id",
                             "must be 1-64 characters of A-Z, a-z, 0-9, '-' and '_'");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> OptionalVersion(std::string_view etag,
                                                       std::string_view field) {
  if (etag.empty()) return std::optional<int64_t>();
  CRM_ASSIGN_OR_RETURN(int64_t version, VersionFromEtag(etag, field));
  return std::optional<int64_t>(version);
}

absl::Status CheckVersion(std::string_view name, int64_t current,
                          std::optional<int64_t> expected) {
  if (!expected || *expected == current) return absl::OkStatus();
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(AsAbsl(name),
                            " was changed by someone else: read it again and retry with its new "
                            "etag"));
}

absl::StatusOr<UpdateTarget> ParseUpdateTarget(bool has_resource,
                                               const google::protobuf::Message& resource,
                                               bool has_mask,
                                               const google::protobuf::FieldMask& mask,
                                               std::string_view collection,
                                               std::string_view field,
                                               const std::set<std::string>& updatable) {
  const std::string prefix(field);
  if (!has_resource) return crm::InvalidField(prefix, "is required");
  const google::protobuf::Reflection& reflection = *resource.GetReflection();
  const google::protobuf::Descriptor& descriptor = *resource.GetDescriptor();
  const google::protobuf::FieldDescriptor* name_field = descriptor.FindFieldByName("name");
  const google::protobuf::FieldDescriptor* etag_field = descriptor.FindFieldByName("etag");
  UpdateTarget target;
  CRM_ASSIGN_OR_RETURN(
      target.id, ParseResourceId(name_field ? reflection.GetString(resource, name_field) : "",
                                 collection, prefix + ".name"));
  CRM_ASSIGN_OR_RETURN(
      target.version,
      OptionalVersion(etag_field ? reflection.GetString(resource, etag_field) : "",
                      prefix + ".etag"));
  if (!has_mask || mask.paths().empty()) {
    return crm::InvalidField("update_mask", "is required: name the fields to change, or \"*\"");
  }
  // Applying the mask to a scratch copy makes a bad path a cheap error.
  std::unique_ptr<google::protobuf::Message> probe(resource.New());
  CRM_RETURN_IF_ERROR(ApplyFieldMask(mask, resource, probe.get(), updatable));
  return target;
}

std::vector<std::string> ChangedPaths(const Message& before, const Message& after,
                                      const std::set<std::string>& paths_to_consider) {
  const Descriptor* type = after.GetDescriptor();
  std::vector<const FieldDescriptor*> fields;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (paths_to_consider.empty() || paths_to_consider.contains(field->name())) {
      fields.push_back(field);
    }
  }
  std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
    return a->number() < b->number();
  });
  std::vector<std::string> changed;
  const bool same_type = before.GetDescriptor() == type;
  for (const FieldDescriptor* field : fields) {
    google::protobuf::util::MessageDifferencer differencer;
    if (!same_type || !differencer.CompareWithFields(before, after, {field}, {field})) {
      changed.push_back(field->name());
    }
  }
  return changed;
}

}  // namespace crm::api
