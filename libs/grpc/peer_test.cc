#include "libs/grpc/peer.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(PeerAddressTest, KeepsTheAddressWithoutThePort) {
  EXPECT_EQ(PeerAddress("ipv4:10.0.0.7:5123"), "10.0.0.7");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::5]:5123"), "2001:db8::5");
  EXPECT_EQ(PeerAddress("ipv6:%5B::1%5D:5123"), "::1");
  EXPECT_EQ(PeerAddress("unix:/tmp/socket"), "");
}

TrustedProxies Trusted(std::string_view text) {
  auto trusted = TrustedProxies::Parse(text);
  EXPECT_TRUE(trusted.ok()) << text << ": " << trusted.status();
  return trusted.ok() ? *trusted : TrustedProxies();
}

TEST(ClientAddressTest, StripsPortsAndBelievesOnlyTrustedProxies) {
  const TrustedProxies trusted = TrustedProxies::Loopback();
  EXPECT_EQ(ClientAddress("ipv4:10.1.2.3:55000", "", trusted), "10.1.2.3");
  EXPECT_EQ(ClientAddress("ipv6:[2001:db8::5]:55000", "", trusted), "2001:db8::5");
  EXPECT_EQ(ClientAddress("ipv6:%5B::1%5D:55000", "", trusted), "::1");
  // The gateway on loopback forwards the client's address.
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "203.0.113.9, 10.0.0.1", trusted), "203.0.113.9");
  EXPECT_EQ(ClientAddress("ipv6:[::1]:4000", "2001:db8::7", trusted), "2001:db8::7");
  // Anyone else cannot choose the address they are throttled by.
  EXPECT_EQ(ClientAddress("ipv4:10.9.9.9:4000", "203.0.113.9", trusted), "10.9.9.9");
  // Garbage in the header is ignored.
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "not-an-ip", trusted), "127.0.0.1");
  // Unix sockets keep gRPC's name; nobody there is a trusted proxy.
  EXPECT_EQ(ClientAddress("unix:/tmp/s", "203.0.113.9", trusted), "unix:/tmp/s");
}

TEST(ClientAddressTest, TrustsProxiesByRange) {
  const TrustedProxies cluster = Trusted(" 10.244.0.0/16, fd00::/8 ,192.0.2.7");
  EXPECT_EQ(ClientAddress("ipv4:10.244.3.9:4000", "203.0.113.9", cluster), "203.0.113.9");
  EXPECT_EQ(ClientAddress("ipv4:10.245.0.1:4000", "203.0.113.9", cluster), "10.245.0.1");
  EXPECT_EQ(ClientAddress("ipv6:[fd12::1]:4000", "2001:db8::7", cluster), "2001:db8::7");
  EXPECT_EQ(ClientAddress("ipv4:192.0.2.7:4000", "203.0.113.9", cluster), "203.0.113.9");
  EXPECT_EQ(ClientAddress("ipv4:192.0.2.8:4000", "203.0.113.9", cluster), "192.0.2.8");
  // An IPv4 range says nothing about IPv6 peers.
  EXPECT_FALSE(Trusted("0.0.0.0/0").Contains("::1"));
  EXPECT_TRUE(Trusted("0.0.0.0/0").Contains("198.51.100.1"));
}

TEST(TrustedProxiesTest, AMalformedEntryIsAStartUpErrorNamingIt) {
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/x", "gateway.local",
                          "127.0.0.1,10.0.0.1/8/8"}) {
    auto parsed = TrustedProxies::Parse(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(TrustedProxies::Parse("127.0.0.1,nonsense").status().message().find("nonsense"),
            std::string_view::npos);
  // Nothing listed: nobody's x-forwarded-for is believed.
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "203.0.113.9", Trusted("")), "127.0.0.1");
}

}  // namespace
}  // namespace crm
