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

}  // namespace
}  // namespace crm
