#include "libs/grpc/status.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace crm {
namespace {

TEST(Status, ViolationsBecomeBadRequestDetailsAtTheEdge) {
  Violations v;
  v.Add("customer.display_name", "must not be empty");
  v.Add("customer.phones[1]", "not a valid phone number");
  grpc::Status g = ToGrpcStatus(v.ToStatus(), "customers.crm");

  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  ASSERT_EQ(rpc.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(info.domain(), "customers.crm");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(rpc.details(1).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(1).field(), "customer.phones[1]");
}

TEST(Status, RoundTripsThroughGrpc) {
  absl::Status original = Error(absl::StatusCode::kAborted, "ETAG_MISMATCH", "stale etag");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original, "customers.crm"));
  EXPECT_EQ(back.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(back.message(), "stale etag");
  EXPECT_EQ(ErrorReason(back), "ETAG_MISMATCH");

  absl::Status field = FromGrpcStatus(ToGrpcStatus(InvalidField("filter", "bad"), "x"));
  ASSERT_EQ(FieldViolations(field).size(), 1u);
  EXPECT_EQ(FieldViolations(field)[0].field, "filter");
}

TEST(Status, ErrorsWithoutReasonGetOneFromTheirCode) {
  absl::Status back = FromGrpcStatus(ToGrpcStatus(absl::InternalError("boom"), "d"));
  EXPECT_EQ(ErrorReason(back), "INTERNAL");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "d").ok());
}

TEST(Status, ErrorInfoMetadataSurvivesTheEdgeBothWays) {
  absl::Status original = WithErrorMetadata(
      Error(absl::StatusCode::kOutOfRange, "CURSOR_EXPIRED", "too old"), "earliest_sequence", "42");
  grpc::Status wire = ToGrpcStatus(original, "customers.crm");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(wire.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.metadata().at("earliest_sequence"), "42");
  EXPECT_EQ(info.domain(), "customers.crm");

  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(ErrorReason(back), "CURSOR_EXPIRED");
  EXPECT_EQ(ErrorMetadata(back, "earliest_sequence"), "42");
  EXPECT_EQ(ErrorMetadata(back, "other"), "");
}

TEST(Status, MetadataOnAnErrorWithoutReasonGetsTheCodesReason) {
  absl::Status status = WithErrorMetadata(absl::UnavailableError("down"), "replica", "b");
  EXPECT_EQ(ErrorReason(status), "UNAVAILABLE");
  EXPECT_EQ(ErrorMetadata(status, "replica"), "b");
  EXPECT_TRUE(WithErrorMetadata(absl::OkStatus(), "k", "v").ok());
}

TEST(Status, OtherTypedDetailsArePassedOnWhole) {
  // An upstream error with a detail of its own type (here a google.rpc.Status standing in for
  // e.g. the matching records of a duplicate), read by a client and returned as its own.
  google::rpc::Status upstream;
  upstream.set_code(6);
  upstream.add_details()->PackFrom(google::rpc::ErrorInfo());
  google::rpc::Status matches;
  matches.set_message("customers/7");
  upstream.add_details()->PackFrom(matches);
  grpc::Status wire(grpc::StatusCode::ALREADY_EXISTS, "duplicate", upstream.SerializeAsString());

  grpc::Status passed_on = ToGrpcStatus(FromGrpcStatus(wire), "opportunities.crm");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(passed_on.error_details()));
  ASSERT_EQ(rpc.details_size(), 2);
  google::rpc::Status carried;
  ASSERT_TRUE(rpc.details(1).UnpackTo(&carried));
  EXPECT_EQ(carried.message(), "customers/7");
}

TEST(Status, OnlyFailuresThatWaitingCanFixAreTransient) {
  EXPECT_TRUE(IsTransient(absl::UnavailableError("connection refused")));
  EXPECT_TRUE(IsTransient(absl::DeadlineExceededError("slow")));
  EXPECT_TRUE(IsTransient(absl::ResourceExhaustedError("shedding load")));
  EXPECT_FALSE(IsTransient(absl::OkStatus()));
  EXPECT_FALSE(IsTransient(absl::NotFoundError("gone")));
  EXPECT_FALSE(IsTransient(absl::AbortedError("etag")));
  EXPECT_FALSE(IsTransient(absl::PermissionDeniedError("no")));
}

TEST(Status, APeerThatCannotBeReachedIsUnavailableWithTheCallersReason) {
  absl::Status status = FromPeer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connect failed"),
                                 "the customers service", "CUSTOMERS_UNAVAILABLE");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(status), "CUSTOMERS_UNAVAILABLE");
  EXPECT_EQ(status.message(), "the customers service cannot be reached right now; try again");

  // A peer shedding load says when to come back; that survives the translation.
  grpc::Status shed = ToGrpcStatus(
      WithRetryDelay(absl::ResourceExhaustedError("busy"), absl::Seconds(2)), "knowledge.crm");
  status = FromPeer(shed, "the product catalog", "CATALOG_UNAVAILABLE", PeerErrors::kAll);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReason(status), "CATALOG_UNAVAILABLE");
  EXPECT_EQ(RetryDelay(status), absl::Seconds(2));
}

TEST(Status, ALookupKeepsNotFoundAndTurnsOtherRefusalsIntoInternal) {
  grpc::Status not_found =
      ToGrpcStatus(Error(absl::StatusCode::kNotFound, "PRODUCT_NOT_FOUND", "no such product"),
                   "knowledge.crm");
  absl::Status status = FromPeer(not_found, "the product catalog", "CATALOG_UNAVAILABLE");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(status), "PRODUCT_NOT_FOUND");

  status = FromPeer(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "services/orders may not"),
                    "the product catalog", "CATALOG_UNAVAILABLE");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrorReason(status), "PEER_REFUSED");
  EXPECT_EQ(status.message(), "the product catalog refused the call: services/orders may not");
  EXPECT_TRUE(FromPeer(grpc::Status::OK, "the product catalog", "CATALOG_UNAVAILABLE").ok());
}

TEST(Status, AChangeForTheUserKeepsThePeersRefusalWhole) {
  absl::Status refused = InvalidField("customer.phones[0]", "not a valid phone number");
  absl::Status status =
      FromPeer(ToGrpcStatus(refused, "customers.crm"), "the customers service",
               "CUSTOMERS_UNAVAILABLE", PeerErrors::kAll);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolations(status).size(), 1u);
  EXPECT_EQ(FieldViolations(status)[0].field, "customer.phones[0]");
  // The absl::Status form, for clients that already converted (the auth directory's).
  status = FromPeer(absl::DeadlineExceededError("slow"), "the auth service", "AUTH_UNAVAILABLE",
                    PeerErrors::kAll);
  EXPECT_EQ(ErrorReason(status), "AUTH_UNAVAILABLE");
}

TEST(Status, NoViolationsIsOk) { EXPECT_TRUE(Violations().ToStatus().ok()); }

}  // namespace
}  // namespace crm
