#include "services/auth/rows.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::auth_service {
namespace {

std::string NameOrEmpty(std::string_view collection, const db::Row& row, size_t i) {
  return row.IsNull(i) ? "" : api::ResourceName(collection, row.Int(i));
}

}  // namespace

v1::User UserFromRow(const db::Row& row) {
  v1::User u;
  u.set_name(api::ResourceName(kUsers, row.Int(0)));
  u.set_etag(api::EtagFromVersion(row.Int(1)));
  u.set_username(row.Str(2));
  u.set_display_name(row.Str(3));
  u.set_email(row.Str(4));
  u.set_role(static_cast<v1::Role>(row.Int(5)));
  u.set_team(NameOrEmpty(kTeams, row, 6));
  u.set_active(row.Int(7) != 0);
  *u.mutable_create_time() = TimestampFromDateTime(row.Str(8));
  *u.mutable_update_time() = TimestampFromDateTime(row.Str(9));
  if (!row.IsNull(10)) {
    for (absl::string_view part : absl::StrSplit(row.Str(10), ',', absl::SkipEmpty())) {
      int64_t id = 0;
      if (absl::SimpleAtoi(part, &id)) u.add_managed_teams(api::ResourceName(kTeams, id));
    }
  }
  return u;
}

v1::Team TeamFromRow(const db::Row& row) {
  v1::Team t;
  t.set_name(api::ResourceName(kTeams, row.Int(0)));
  t.set_etag(api::EtagFromVersion(row.Int(1)));
  t.set_display_name(row.Str(2));
  t.set_manager(NameOrEmpty(kUsers, row, 3));
  *t.mutable_create_time() = TimestampFromDateTime(row.Str(4));
  *t.mutable_update_time() = TimestampFromDateTime(row.Str(5));
  return t;
}

v1::AuditEvent AuditFromRow(const db::Row& row) {
  v1::AuditEvent e;
  e.set_sequence(row.Int(0));
  *e.mutable_time() = TimestampFromDateTime(row.Str(1));
  e.set_action(static_cast<v1::AuditAction>(row.Int(2)));
  e.set_user(NameOrEmpty(kUsers, row, 3));
  e.set_username(row.Str(4));
  e.set_actor(NameOrEmpty(kUsers, row, 5));
  e.set_peer(row.Str(6));
  e.set_session_id(row.Str(7));
  e.set_detail(row.Str(8));
  return e;
}

StoredKey KeyFromRow(const db::Row& row) {
  return StoredKey{.kid = row.Str(0),
                   .encrypted_pem = row.Str(1),
                   .public_pem = row.Str(2),
                   .create_time = TimeFromDateTime(row.Str(3))};
}

absl::Status UserNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "USER_NOT_FOUND",
               absl::StrCat("users/", id, " does not exist"));
}

absl::Status TeamNotFound(int64_t id) {
  return Error(absl::StatusCode::kNotFound, "TEAM_NOT_FOUND",
               absl::StrCat("teams/", id, " does not exist"));
}

absl::Status CheckVersion(std::string_view name, std::string_view etag,
                          std::optional<int64_t> expected) {
  if (!expected || etag == api::EtagFromVersion(*expected)) return absl::OkStatus();
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(std::string(name),
                            " was changed by someone else: read it again and retry with its "
                            "new etag"));
}

bool IsDuplicate(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         ErrorReason(status) == "DUPLICATE_KEY";
}

absl::Time TimeFromDateTime(const std::string& datetime) {
  auto t = db::ParseDateTime(datetime);
  return t.ok() ? *t : absl::InfinitePast();
}

db::Value NullableId(int64_t id) { return id == 0 ? db::Value() : db::Value(id); }

int64_t IdOf(std::string_view name, std::string_view collection) {
  if (name.empty()) return 0;
  auto id = api::ParseResourceId(name, collection);
  return id.ok() ? *id : 0;
}

std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string EventActor(const Actor& actor) {
  return actor.user_id != 0 ? absl::StrCat("users/", actor.user_id) : "services/auth";
}

}  // namespace crm::auth_service
