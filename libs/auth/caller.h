// Who is calling, as the RPC edge established it: the verified principal plus what a
// handler needs to act for them elsewhere (their token, to forward) and to account for them
// (their address, the request id, the deadline the client set).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "libs/auth/principal.h"

namespace crm::auth {

struct Caller {
  Principal principal;  // empty for methods public at this service
  // The raw `authorization` metadata value ("Bearer ..."), forwarded when the service asks
  // another one on the caller's behalf, so the callee applies the caller's rules.
  std::string authorization;
  std::string peer;        // the client's address, without port ("" when unknown)
  std::string request_id;  // x-request-id of the call
  absl::Time deadline = absl::InfiniteFuture();  // the client's deadline for the call
};

}  // namespace crm::auth
