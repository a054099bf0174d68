#include <string>

#include "gtest/gtest.h"
#include "libs/db/db.h"
#include "libs/grpc/status.h"

namespace crm::db {
namespace {

TEST(MapMysqlErrorTest, DuplicateKeyIsAlreadyExists) {
  absl::Status status = MapMysqlError(1062, "23000");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(status), "DUPLICATE_KEY");
}

TEST(MapMysqlErrorTest, DeadlockAndLockWaitTimeoutAreRetryableConflicts) {
  for (int code : {1213, 1205}) {
    absl::Status status = MapMysqlError(code, "40001");
    EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << code;
    EXPECT_EQ(ErrorReason(status), "CONCURRENT_UPDATE") << code;
    EXPECT_TRUE(IsRetryableConflict(code)) << code;
  }
  EXPECT_FALSE(IsRetryableConflict(1062));
}

TEST(MapMysqlErrorTest, LostConnectionsAreUnavailable) {
  for (int code : {2002, 2003, 2006, 2013, 2055, 1927}) {
    absl::Status status = MapMysqlError(code, "HY000");
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << code;
    EXPECT_EQ(ErrorReason(status), "DATABASE_UNAVAILABLE") << code;
    EXPECT_TRUE(IsConnectionError(code)) << code;
  }
}

TEST(MapMysqlErrorTest, ConnectionSqlStateClassIsUnavailableWhateverTheNumber) {
  EXPECT_EQ(MapMysqlError(9999, "08S01").code(), absl::StatusCode::kUnavailable);
}

TEST(MapMysqlErrorTest, ValuesThatDoNotFitAreInvalidArgument) {
  EXPECT_EQ(MapMysqlError(1406, "22001").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MapMysqlError(1366, "22007").code(), absl::StatusCode::kInvalidArgument);
}

TEST(MapMysqlErrorTest, EverythingElseIsInternalDatabaseError) {
  absl::Status status = MapMysqlError(1064, "42000");  // syntax error
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrorReason(status), "DATABASE_ERROR");
  EXPECT_FALSE(IsConnectionError(1064));
  EXPECT_FALSE(IsConnectionError(1062));
}

TEST(MapMysqlErrorTest, MessageNamesNoErrorNumberOrServerText) {
  for (int code : {1062, 1213, 2006, 1406, 1064}) {
    const std::string message(MapMysqlError(code, "HY000").message());
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find(std::to_string(code)), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace crm::db
