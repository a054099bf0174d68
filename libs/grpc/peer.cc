#include "libs/grpc/peer.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace crm {
namespace {

// Decodes the percent-escapes gRPC uses in peer strings ("%5B::1%5D").
std::string Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(absl::string_view(text.data() + i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// An address as 4 or 16 bytes, or "" when `text` is not one.
std::string AddressBytes(absl::string_view text) {
  const std::string address(text);
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) return std::string(buf, buf + 4);
  if (inet_pton(AF_INET6, address.c_str(), buf) == 1) return std::string(buf, buf + 16);
  return "";
}

}  // namespace

std::string PeerAddress(std::string_view peer) {
  if (peer.starts_with("ipv4:")) {
    peer.remove_prefix(5);
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (!peer.starts_with("ipv6:")) return "";
  const std::string rest = Unescape(peer.substr(5));
  if (rest.starts_with("[")) return rest.substr(1, rest.find(']') - 1);
  return rest.substr(0, rest.rfind(':'));
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(std::string_view text) {
  TrustedProxies trusted;
  for (absl::string_view entry :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t slash = entry.find('/');
    Range range{.network = AddressBytes(entry.substr(0, slash))};
    const int max_bits = static_cast<int>(range.network.size()) * 8;
    range.prefix_bits = max_bits;
    const bool prefix_ok = slash == absl::string_view::npos ||
                           (absl::SimpleAtoi(entry.substr(slash + 1), &range.prefix_bits) &&
                            range.prefix_bits >= 0 && range.prefix_bits <= max_bits);
    if (range.network.empty() || !prefix_ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", entry, "\" is not an IP address or a CIDR range"));
    }
    trusted.ranges_.push_back(std::move(range));
  }
  return trusted;
}

TrustedProxies TrustedProxies::Loopback() { return *Parse("127.0.0.1,::1"); }

bool TrustedProxies::Contains(std::string_view address) const {
  const std::string bytes = AddressBytes(absl::string_view(address.data(), address.size()));
  if (bytes.empty()) return false;
  for (const Range& range : ranges_) {
    if (range.network.size() != bytes.size()) continue;
    bool match = true;
    for (int bit = 0; bit < range.prefix_bits && match; ++bit) {
      const int mask = 0x80 >> (bit % 8);
      match = (bytes[bit / 8] & mask) == (range.network[bit / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string ClientAddress(std::string_view grpc_peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  std::string direct = PeerAddress(grpc_peer);
  // Unix sockets and the like: as gRPC names them.
  if (direct.empty()) direct = std::string(grpc_peer);
  if (!forwarded_for.empty() && trusted.Contains(direct)) {
    const std::string_view head = forwarded_for.substr(0, forwarded_for.find(','));
    const absl::string_view first =
        absl::StripAsciiWhitespace(absl::string_view(head.data(), head.size()));
    if (!AddressBytes(first).empty()) return std::string(first);
  }
  return direct;
}

}  // namespace crm
