// The types of the events the auth service writes to its outbox (served by
// crm.events.v1.EventFeed), named crm.auth.v1.<Thing><Happened> like every service's. The
// payload is the resource as it is after the change (a crm.auth.v1.User or Team).
#pragma once

namespace crm::auth_service::event_types {

inline constexpr char kUserCreated[] = "crm.auth.v1.UserCreated";
// Any change of a user, disabling included (the payload's `active` says which).
inline constexpr char kUserUpdated[] = "crm.auth.v1.UserUpdated";
inline constexpr char kTeamCreated[] = "crm.auth.v1.TeamCreated";
// A new display name or manager.
inline constexpr char kTeamUpdated[] = "crm.auth.v1.TeamUpdated";

}  // namespace crm::auth_service::event_types
