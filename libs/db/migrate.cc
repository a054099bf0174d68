// Versioned, forward-only schema migrations applied under a named server lock.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/base/hash.h"
#include "libs/db/db.h"
#include "libs/db/internal.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

// How long to wait for a replica that is applying migrations right now.
constexpr absl::Duration kLockWait = absl::Seconds(60);

// Bookkeeping statements; `table` is schema_migrations or platform_migrations (fixed
// names, never input).
std::string CreateBookkeeping(const std::string& table) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS ", table,
                      " ("
                      " version INT NOT NULL PRIMARY KEY,"
                      " title VARCHAR(200) NOT NULL,"
                      " checksum CHAR(64) NOT NULL,"
                      " applied_at DATETIME(6) NOT NULL"
                      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
}
std::string SelectApplied(const std::string& table) {
  return absl::StrCat("SELECT version, title, checksum FROM ", table, " ORDER BY version");
}
std::string InsertApplied(const std::string& table) {
  return absl::StrCat("INSERT INTO ", table,
                      " (version, title, checksum, applied_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))");
}

struct MigrationFile {
  int version = 0;
  std::string title;
  std::string file_name;
  std::string contents;
  std::string checksum;
};

// One sequence of migrations and where it is recorded: the service's files in
// schema_migrations, the libraries' own tables (platform.cc) in platform_migrations.
struct Track {
  std::string table;   // bookkeeping table
  std::string noun;    // "migration" or "platform migration", for messages
  std::string source;  // where the files come from, for messages
  std::vector<MigrationFile> files;
};

absl::Status MigrationError(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message);
}

absl::StatusOr<std::vector<MigrationFile>> ReadMigrations(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) {
    return MigrationError("MIGRATION_INVALID", absl::StrCat("cannot read migration directory ", dir,
                                                            ": ", error.message()));
  }
  std::map<int, MigrationFile> by_version;
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !absl::EndsWith(name, ".sql")) continue;
    const size_t underscore = name.find('_');
    int version = 0;
    if (underscore == std::string::npos || underscore == 0 ||
        !std::all_of(name.begin(), name.begin() + underscore,
                     [](unsigned char c) { return std::isdigit(c); }) ||
        !absl::SimpleAtoi(name.substr(0, underscore), &version) || version <= 0) {
      return MigrationError("MIGRATION_INVALID",
                            absl::StrCat("migration file ", name, " is not named NNN_title.sql"));
    }
    MigrationFile file;
    file.version = version;
    file.file_name = name;
    file.title = name.substr(underscore + 1, name.size() - underscore - 1 - 4);
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    if (!in) {
      return MigrationError("MIGRATION_INVALID", absl::StrCat("cannot read ", name));
    }
    file.contents = contents.str();
    file.checksum = Sha256Hex(file.contents);
    auto [existing, inserted] = by_version.emplace(version, std::move(file));
    if (!inserted) {
      return MigrationError("MIGRATION_INVALID",
                            absl::StrCat("migrations ", existing->second.file_name, " and ", name,
                                         " share version ", version));
    }
  }
  std::vector<MigrationFile> files;
  files.reserve(by_version.size());
  for (auto& [version, file] : by_version) files.push_back(std::move(file));
  return files;
}

Track PlatformTrack() {
  Track track{.table = "platform_migrations",
              .noun = "platform migration",
              .source = "this build's libs/db (platform.cc)"};
  for (const internal::EmbeddedMigration& m : internal::PlatformMigrations()) {
    MigrationFile& file = track.files.emplace_back();
    file.version = m.version;
    file.title = m.title;
    file.file_name = absl::StrFormat("%03d_%s", m.version, m.title);
    file.contents = m.sql;
    file.checksum = Sha256Hex(file.contents);
  }
  return track;
}

// Statements end with ';' at the end of a line; whole-line "--" comments are dropped.
std::vector<std::string> SplitStatements(absl::string_view contents) {
  std::vector<std::string> statements;
  std::string current;
  auto flush = [&] {
    absl::string_view text = absl::StripAsciiWhitespace(current);
    if (!text.empty()) statements.emplace_back(text);
    current.clear();
  };
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(trimmed, "--")) continue;
    if (absl::EndsWith(trimmed, ";")) {
      absl::StrAppend(&current, absl::StripSuffix(trimmed, ";"), "\n");
      flush();
    } else {
      absl::StrAppend(&current, line, "\n");
    }
  }
  flush();
  return statements;
}

// Applies what `track` has and its table does not, after checking that everything the
// table records is in the track unchanged. Runs with the migration lock held.
absl::Status ApplyTrack(Session& session, internal::Connection& conn, const Track& track) {
  CRM_RETURN_IF_ERROR(conn.ExecuteDirect(CreateBookkeeping(track.table)));
  CRM_ASSIGN_OR_RETURN(Rows applied, session.Query(SelectApplied(track.table), {}));

  // Check everything before applying anything: a database ahead of, or different from,
  // this build must not receive more changes from it.
  std::map<int, const MigrationFile*> by_version;
  for (const MigrationFile& file : track.files) by_version[file.version] = &file;
  std::map<int, bool> done;
  for (const Row& row : applied) {
    const int version = static_cast<int>(row.Int(0));
    auto it = by_version.find(version);
    if (it == by_version.end()) {
      return MigrationError(
          "MIGRATION_UNKNOWN",
          absl::StrCat("the database has ", track.noun, " ", version, " (", row.Str(1),
                       ") which is not in ", track.source, "; is this an older build?"));
    }
    if (it->second->checksum != row.Str(2)) {
      return MigrationError("MIGRATION_EDITED",
                            absl::StrCat(track.noun, " ", it->second->file_name,
                                         " was changed after it was applied; add a new "
                                         "migration instead of editing an applied one"));
    }
    done[version] = true;
  }

  for (const MigrationFile& file : track.files) {
    if (done.contains(file.version)) continue;
    const std::vector<std::string> statements = SplitStatements(file.contents);
    for (size_t i = 0; i < statements.size(); ++i) {
      absl::Status status = conn.ExecuteDirect(statements[i]);
      if (!status.ok()) {
        return internal::Annotate(
            status, absl::StrCat(track.noun, " ", file.file_name, " statement ", i + 1));
      }
    }
    // DDL commits implicitly in MariaDB, so record each file as soon as it has run.
    absl::StatusOr<uint64_t> recorded = session.Execute(
        InsertApplied(track.table), {int64_t{file.version}, file.title, file.checksum});
    if (!recorded.ok()) {
      return internal::Annotate(recorded.status(),
                                absl::StrCat("recording ", track.noun, " ", file.file_name));
    }
    internal::LogDbEvent("info", absl::StrCat("applied ", track.noun, " ", file.file_name), 0, "",
                         "");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(Pool& pool, const std::string& dir) {
  Track service{.table = "schema_migrations", .noun = "migration", .source = dir};
  if (!dir.empty()) {
    CRM_ASSIGN_OR_RETURN(service.files, ReadMigrations(dir));
  } else {
    service.source = "(no directory given)";
  }
  // One dedicated connection: GET_LOCK belongs to the session that took it.
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, pool.Borrow());
  internal::Connection& conn = internal::ConnectionOf(*session);

  absl::StatusOr<std::unique_ptr<NamedLock>> lock = NamedLock::ForSchema(*session, "crm_migrate_");
  if (!lock.ok()) return MigrationError("MIGRATION_INVALID", "the pool has no schema selected");
  CRM_ASSIGN_OR_RETURN(bool locked, (*lock)->Acquire(kLockWait));
  if (!locked) {
    return Error(absl::StatusCode::kUnavailable, "MIGRATION_LOCKED",
                 "another process kept the migration lock for too long");
  }

  // The service's files first: the older services' first files create the outbox and
  // idempotency_keys themselves, and the platform track only adds to them.
  CRM_RETURN_IF_ERROR(ApplyTrack(*session, conn, service));
  return ApplyTrack(*session, conn, PlatformTrack());
}

}  // namespace crm::db
