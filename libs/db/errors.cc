// Mapping of MySQL/MariaDB errors to statuses, and the library's error log line.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/db/db.h"
#include "libs/db/internal.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

constexpr std::string_view kUnavailableReason = "DATABASE_UNAVAILABLE";

bool IsInvalidValue(int error_code) {
  switch (error_code) {
    case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
    case 1292:  // ER_TRUNCATED_WRONG_VALUE (bad date or number text)
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case 1406:  // ER_DATA_TOO_LONG
      return true;
    default:
      return false;
  }
}

// SQLSTATE class 08 is "connection exception" whatever the vendor number.
bool IsConnectionState(std::string_view sql_state) { return sql_state.starts_with("08"); }

}  // namespace

bool IsConnectionError(int error_code) {
  switch (error_code) {
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1152:  // ER_ABORTING_CONNECTION
    case 1158:  // ER_NET_READ_ERROR
    case 1159:  // ER_NET_READ_INTERRUPTED
    case 1160:  // ER_NET_ERROR_ON_WRITE
    case 1161:  // ER_NET_WRITE_INTERRUPTED
    case 1927:  // ER_CONNECTION_KILLED
    case 2001:  // CR_SOCKET_CREATE_ERROR
    case 2002:  // CR_CONNECTION_ERROR (unix socket)
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2014:  // CR_COMMANDS_OUT_OF_SYNC: the protocol state is unknown, start over
    case 2026:  // CR_SSL_CONNECTION_ERROR
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8 closing an idle session)
      return true;
    default:
      return false;
  }
}

bool IsRetryableConflict(int error_code) {
  return error_code == 1213 /* ER_LOCK_DEADLOCK */ || error_code == 1205 /* ER_LOCK_WAIT_TIMEOUT */;
}

absl::Status MapMysqlError(int error_code, std::string_view sql_state) {
  if (error_code == 1062 || error_code == 1586) {  // ER_DUP_ENTRY(_WITH_KEY_NAME)
    return Error(absl::StatusCode::kAlreadyExists, "DUPLICATE_KEY",
                 "a record with the same unique key already exists");
  }
  if (IsRetryableConflict(error_code)) {
    return Error(absl::StatusCode::kAborted, "CONCURRENT_UPDATE",
                 "the change conflicted with a concurrent update; retry");
  }
  if (IsConnectionError(error_code) || IsConnectionState(sql_state)) {
    return Error(absl::StatusCode::kUnavailable, kUnavailableReason, "the database is unavailable");
  }
  if (IsInvalidValue(error_code)) {
    return Error(absl::StatusCode::kInvalidArgument, "INVALID_VALUE",
                 "a value does not fit its database column");
  }
  return Error(absl::StatusCode::kInternal, "DATABASE_ERROR", "database error");
}

namespace internal {

std::string_view ErrorKind(int error_code, std::string_view sql_state) {
  if (error_code == 1062 || error_code == 1586) return "duplicate_key";
  if (IsRetryableConflict(error_code)) return "conflict";
  if (IsConnectionError(error_code) || IsConnectionState(sql_state)) return "connection";
  if (IsInvalidValue(error_code)) return "invalid_value";
  return "other";
}

namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void LogDbEvent(std::string_view level, std::string_view msg, int mysql_errno,
                std::string_view sql_state, std::string_view detail) {
  std::string line = "{\"level\":";
  AppendJsonString(line, level);
  line += ",\"msg\":";
  AppendJsonString(line, msg);
  if (mysql_errno != 0 || !sql_state.empty()) {
    absl::StrAppend(&line, ",\"mysql_errno\":", mysql_errno, ",\"sql_state\":");
    AppendJsonString(line, sql_state);
  }
  if (!detail.empty()) {
    line += ",\"detail\":";
    AppendJsonString(line, detail);
  }
  line += "}\n";
  // One write call so lines from concurrent threads do not interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

absl::Status Annotate(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(), absl::StrCat(ToAbsl(prefix), ": ", status.message()));
  status.ForEachPayload([&annotated](absl::string_view url, const absl::Cord& payload) {
    annotated.SetPayload(url, payload);
  });
  return annotated;
}

}  // namespace internal
}  // namespace crm::db
