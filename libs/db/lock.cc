// Named server locks (GET_LOCK / RELEASE_LOCK) on one session.
#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

// MariaDB refuses lock names longer than 64 characters.
constexpr size_t kMaxLockName = 64;

}  // namespace

absl::StatusOr<std::unique_ptr<NamedLock>> NamedLock::ForSchema(Session& session,
                                                                std::string_view prefix) {
  CRM_ASSIGN_OR_RETURN(Rows rows, session.Query("SELECT DATABASE()", {}));
  if (rows.empty() || rows[0].IsNull(0)) {
    return Error(absl::StatusCode::kFailedPrecondition, "NO_SCHEMA",
                 "the connection has no schema selected");
  }
  std::string name = absl::StrCat(std::string(prefix), rows[0].Str(0));
  if (name.size() > kMaxLockName) name.resize(kMaxLockName);
  return std::make_unique<NamedLock>(session, std::move(name));
}

NamedLock::NamedLock(Session& session, std::string name)
    : session_(session), name_(std::move(name)) {}

NamedLock::~NamedLock() {
  if (!held_) return;
  absl::StatusOr<Rows> released = session_.Query("SELECT RELEASE_LOCK(?)", {name_});
  // A lock that did not release stays with its connection until the connection ends: close
  // it rather than hand it to the next borrower, who would hold the lock without knowing.
  if (!released.ok() || released->empty() || released->at(0).Int(0) != 1) session_.Discard();
}

absl::StatusOr<bool> NamedLock::Acquire(absl::Duration wait) {
  if (held_) return true;
  const int64_t seconds =
      static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(std::max(wait, absl::ZeroDuration()))));
  CRM_ASSIGN_OR_RETURN(Rows rows, session_.Query("SELECT GET_LOCK(?, ?)", {name_, seconds}));
  held_ = !rows.empty() && rows[0].Int(0) == 1;
  return held_;
}

}  // namespace crm::db
