// Answers kept for a while: one value per key, fresh for `ttl` after it was fetched, e.g. a
// team's members or a user's manager asked of the auth service.
//
//   TtlCache<std::vector<std::string>> members(absl::Seconds(30), clock);
//   absl::StatusOr<std::vector<std::string>> m = members.Get(team, [&] { return Ask(team); });
//
// A failed fetch is not kept, so the next call asks again. Fetches run without the lock, so a
// slow source never stalls the lookups of other keys; two callers missing the same key at
// once both fetch, and the later answer is kept. Keys are never dropped: use it for things
// bounded by the organisation (users, teams), not by the data. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"

namespace crm {

template <typename V>
class TtlCache final {
 public:
  TtlCache(absl::Duration ttl, const Clock& clock) : ttl_(ttl), clock_(clock) {}

  // `key`'s value while fresh, else `fetch`'s (kept when it succeeds).
  absl::StatusOr<V> Get(const std::string& key, const std::function<absl::StatusOr<V>()>& fetch)
      ABSL_LOCKS_EXCLUDED(mu_) {
    const absl::Time now = clock_.Now();
    {
      absl::MutexLock lock(&mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && now - it->second.fetched < ttl_) return it->second.value;
    }
    absl::StatusOr<V> fetched = fetch();
    if (!fetched.ok()) return fetched.status();
    absl::MutexLock lock(&mu_);
    entries_.insert_or_assign(key, Entry{.value = *fetched, .fetched = now});
    return fetched;
  }

 private:
  struct Entry {
    V value;
    absl::Time fetched;
  };
  const absl::Duration ttl_;
  const Clock& clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm
