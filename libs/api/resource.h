// Small AIP helpers shared by every service: etags, resource names, field masks.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/message.h>

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

// Copies the fields named by `mask` from `from` into `to`. "*" (alone) means every path
// in `updatable`. A path may name a sub-message ("region") or a field inside one
// ("region.city"); it must be in `updatable` or be a child of an updatable path.
// Repeated fields are replaced, not appended. An empty mask, an unknown path or a
// non-updatable path is INVALID_ARGUMENT on field "update_mask".
absl::Status ApplyFieldMask(const google::protobuf::FieldMask& mask,
                            const google::protobuf::Message& from, google::protobuf::Message* to,
                            const std::set<std::string>& updatable);

}  // namespace crm::api
