#include "libs/base/time.h"

#include <string>

#include "absl/time/civil_time.h"

namespace crm {
namespace {

constexpr char kDateTimeFormat[] = "%Y-%m-%d %H:%M:%E*S";

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  absl::Duration since_epoch = t - absl::UnixEpoch();
  int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &since_epoch);
  if (since_epoch < absl::ZeroDuration()) {  // floor towards the past, nanos stay positive
    --seconds;
    since_epoch += absl::Seconds(1);
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch)));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp TimestampFromDateTime(std::string_view datetime) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(kDateTimeFormat, std::string(datetime), absl::UTCTimeZone(), &t, &error)) {
    return google::protobuf::Timestamp();
  }
  return ToTimestamp(t);
}

}  // namespace crm
