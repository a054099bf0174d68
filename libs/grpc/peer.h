// The client address in a gRPC peer string, for throttling, audit and x-forwarded-for.
#pragma once

#include <string>
#include <string_view>

namespace crm {

// "ipv4:10.0.0.7:5123" → "10.0.0.7"; "ipv6:[2001:db8::5]:5123" and gRPC 1.51's escaped
// "ipv6:%5B::1%5D:5123" → "2001:db8::5", "::1"; "" for peers without an IP address (unix:).
std::string PeerAddress(std::string_view peer);

}  // namespace crm
