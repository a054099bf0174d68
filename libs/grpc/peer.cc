#include "libs/grpc/peer.h"

#include "absl/strings/numbers.h"
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

}  // namespace crm
