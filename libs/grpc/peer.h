// The client address of a call, for throttling, audit and x-forwarded-for: the address in
// gRPC's peer string, or, behind a trusted proxy (the gateway), the one it forwarded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm {

// "ipv4:10.0.0.7:5123" → "10.0.0.7"; "ipv6:[2001:db8::5]:5123" and gRPC 1.51's escaped
// "ipv6:%5B::1%5D:5123" → "2001:db8::5", "::1"; "" for peers without an IP address (unix:).
std::string PeerAddress(std::string_view peer);

// The proxies whose x-forwarded-for is believed: single addresses ("127.0.0.1", "::1") or
// CIDR ranges ("10.0.0.0/8", "fd00::/8"), since proxies in a cluster have no fixed address.
// Parsed once, from the comma-separated flag text; immutable afterwards, so thread-safe.
class TrustedProxies final {
 public:
  // INVALID_ARGUMENT naming the first entry that is not an address or a range with a
  // prefix that fits it ("10.0.0.0/33"). Empty entries are skipped; "" trusts nobody.
  static absl::StatusOr<TrustedProxies> Parse(std::string_view text);
  // Loopback only ("127.0.0.1,::1"): the gateway on the same machine.
  static TrustedProxies Loopback();

  // Whether `address` (an address without port) is one of the entries.
  bool Contains(std::string_view address) const;

 private:
  struct Range {
    std::string network;  // 4 or 16 bytes
    int prefix_bits = 0;
  };
  std::vector<Range> ranges_;
};

// The client's address without port: the direct peer's, unless that peer is one of
// `trusted` and `forwarded_for` (x-forwarded-for) starts with an address, which is then the
// client's. Peers without an IP address (unix sockets) are returned as gRPC names them.
std::string ClientAddress(std::string_view grpc_peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace crm
