// Small AIP helpers shared by every service: etags, resource names, field masks.
#pragma once

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::api {

// Etags are opaque to clients; ours are the row's version number, quoted: "\"7\"".
std::string EtagFromVersion(int64_t version);
// INVALID_ARGUMENT (field `field`) when the etag is not one of ours.
absl::StatusOr<int64_t> VersionFromEtag(std::string_view etag, std::string_view field = "etag");

// Parses "customers/42" with collection "customers" into 42. INVALID_ARGUMENT on `field`
// for anything else (missing id, non-digits, zero, overflow, other collection).
absl::StatusOr<int64_t> ParseResourceId(std::string_view name, std::string_view collection,
                                        std::string_view field = "name");
std::string ResourceName(std::string_view collection, int64_t id);

// A resource under another one: "customers/42/contacts/7" with parent collection "customers"
// and collection "contacts" is {42, 7}. INVALID_ARGUMENT on `field` for anything else.
struct ChildId {
  int64_t parent = 0;
  int64_t id = 0;
};
absl::StatusOr<ChildId> ParseChildResourceId(std::string_view name,
                                             std::string_view parent_collection,
                                             std::string_view collection,
                                             std::string_view field = "name");

// Copies the fields named by `mask` from `from` into `to`. "*" (alone) means every path
// in `updatable`. A path may name a sub-message ("region") or a field inside one
// ("region.city"); it must be in `updatable` or be a child of an updatable path.
// Repeated fields are replaced, not appended. An empty mask, an unknown path or a
// non-updatable path is INVALID_ARGUMENT on field "update_mask".
absl::Status ApplyFieldMask(const google::protobuf::FieldMask& mask,
                            const google::protobuf::Message& from, google::protobuf::Message* to,
                            const std::set<std::string>& updatable);

// Whether an update mask replaces `path`: it names the path itself, or is "*" (every
// updatable path). For a handler's own follow-up work after ApplyFieldMask checked the mask.
bool MaskNames(const google::protobuf::FieldMask& mask, std::string_view path);

// The top-level field paths of `before` and `after` (two messages of the same type) whose
// values differ, in field-number order: what an update event reports as its changed
// paths. Only fields named in `paths_to_consider` are compared; an empty set compares
// every top-level field. A sub-message or repeated field counts as one path ("region",
// "tags") when anything in it differs. Messages of different types: every considered
// field of `after`'s type.
std::vector<std::string> ChangedPaths(const google::protobuf::Message& before,
                                      const google::protobuf::Message& after,
                                      const std::set<std::string>& paths_to_consider = {});

// request_id of idempotent calls: at most 64 characters of A-Z, a-z, 0-9, '-' and '_' (a
// UUID fits). Empty is OK unless `required`. INVALID_ARGUMENT on field "request_id".
absl::Status ValidateRequestId(std::string_view request_id, bool required);

// The version an etag asks for, or none when the etag is empty (an unconditional write).
absl::StatusOr<std::optional<int64_t>> OptionalVersion(std::string_view etag,
                                                       std::string_view field = "etag");

// ABORTED (reason ETAG_MISMATCH) when the caller asked for `expected` and the record
// `name` is at another version: someone else changed it since the caller read it.
absl::Status CheckVersion(std::string_view name, int64_t current,
                          std::optional<int64_t> expected);

// What a standard Update names: the record's id (from `resource`'s "name" field) and the
// version its etag expects. Checks, before any database work, that `resource` is given,
// that the mask is present and not empty, and that every path in it is updatable. `field`
// is the request's resource field ("customer"), used in the field violations.
struct UpdateTarget {
  int64_t id = 0;
  std::optional<int64_t> version;
};
absl::StatusOr<UpdateTarget> ParseUpdateTarget(bool has_resource,
                                               const google::protobuf::Message& resource,
                                               bool has_mask,
                                               const google::protobuf::FieldMask& mask,
                                               std::string_view collection,
                                               std::string_view field,
                                               const std::set<std::string>& updatable);

}  // namespace crm::api
