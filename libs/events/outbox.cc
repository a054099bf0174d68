#include "libs/events/outbox.h"

#include <google/protobuf/any.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::events {

namespace {

absl::Status CheckEvent(const NewEvent& event) {
  if (event.actor.empty()) {
    return absl::InternalError(absl::StrCat("event ", std::string(event.type), " has no actor"));
  }
  for (const std::string& path : event.changed_paths) {
    // Stored newline-separated; field paths never contain one.
    if (path.find('\n') != std::string::npos) {
      return absl::InternalError("a changed path holds a newline");
    }
  }
  return absl::OkStatus();
}

// The values of one outbox row, in kAppendSql's order.
void AppendValues(const NewEvent& event, const google::protobuf::Message& snapshot,
                  const std::string& now, std::vector<db::Value>& values) {
  google::protobuf::Any payload;
  payload.PackFrom(snapshot);
  values.push_back(std::string(event.type));
  values.push_back(std::string(event.resource));
  values.push_back(payload.SerializeAsString());
  values.push_back(std::string(log::CurrentRequestId()));
  values.push_back(now);
  values.push_back(std::string(event.actor));
  values.push_back(absl::StrJoin(event.changed_paths, "\n"));
}

// kAppendSql with `rows` value lists: one prepared statement per distinct size, so sizes
// are powers of two.
const std::string& AppendRowsSql(size_t rows) {
  static const auto* texts = [] {
    auto* made = new std::vector<std::string>;
    for (size_t n = 1; n <= 64; n *= 2) {
      std::string text = kAppendSql;
      for (size_t i = 1; i < n; ++i) text += ", (?, ?, ?, ?, ?, ?, ?)";
      made->push_back(std::move(text));
    }
    return made;
  }();
  size_t index = 0;
  while ((size_t{1} << (index + 1)) <= rows) ++index;
  return (*texts)[index];
}

}  // namespace

absl::Status Append(db::Session& tx, const NewEvent& event,
                    const google::protobuf::Message& snapshot) {
  CRM_RETURN_IF_ERROR(CheckEvent(event));
  std::vector<db::Value> values;
  AppendValues(event, snapshot, db::FormatDateTime(absl::Now()), values);
  return tx.Execute(kAppendSql, values).status();
}

absl::Status AppendAll(db::Session& tx, std::span<const EventWithSnapshot> events) {
  for (const EventWithSnapshot& item : events) CRM_RETURN_IF_ERROR(CheckEvent(item.event));
  const std::string now = db::FormatDateTime(absl::Now());
  size_t next = 0;
  while (next < events.size()) {
    size_t rows = 64;
    while (rows > events.size() - next) rows /= 2;
    std::vector<db::Value> values;
    values.reserve(rows * 7);
    for (size_t i = next; i < next + rows; ++i) {
      AppendValues(events[i].event, *events[i].snapshot, now, values);
    }
    CRM_RETURN_IF_ERROR(tx.Execute(AppendRowsSql(rows), values).status());
    next += rows;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AppendReturningSequence(db::Session& tx, const NewEvent& event,
                                                const google::protobuf::Message& snapshot) {
  CRM_RETURN_IF_ERROR(CheckEvent(event));
  std::vector<db::Value> values;
  AppendValues(event, snapshot, db::FormatDateTime(absl::Now()), values);
  absl::StatusOr<db::Rows> rows = tx.Query(kAppendReturningSql, values);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError("the outbox insert returned no sequence");
  return (*rows)[0].Int(0);
}

std::string EventId(std::string_view id_prefix, int64_t sequence) {
  return absl::StrCat(std::string(id_prefix), "/", sequence);
}

}  // namespace crm::events
