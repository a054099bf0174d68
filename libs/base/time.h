// Conversions between absl::Time, google.protobuf.Timestamp and the DATETIME(6) text the
// database returns ("2026-11-27 09:30:00.123456", UTC). One copy for every service.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <string_view>

#include "absl/time/time.h"

namespace crm {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
// The DATETIME(6) text as a Timestamp; the epoch for text that does not parse (a NULL
// column reads as "").
google::protobuf::Timestamp TimestampFromDateTime(std::string_view datetime);

}  // namespace crm
