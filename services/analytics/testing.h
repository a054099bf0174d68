// The fixture the analytics tests share: the read model on a throw-away schema of the test
// MariaDB (service::testing::TestKit), fed event by event as the consumer feeds it, the staff
// every test's figures are written for, and a caller of each role. Each test makes the
// services it exercises from test_->kit() and store_.
//
// The staff: an admin (users/1); team 1's manager (users/10) and reps (users/11, 12, 13);
// team 2's manager (users/20) and rep (users/21); marketing (users/30); support (users/40).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "crm/events/v1/events.pb.h"
#include "google/protobuf/message.h"
#include "libs/auth/testing.h"
#include "libs/base/time.h"
#include "libs/service/testing.h"
#include "services/analytics/read_model.h"
#include "services/analytics/report_store.h"

namespace crm::analytics::testing {

class ReadModelTest : public ::testing::Test {
 protected:
  // `zone`: the company's calendar, which files each event under its day.
  explicit ReadModelTest(absl::TimeZone zone) : read_model_(zone) {}

  void SetUp() override {
    auto test = service::testing::TestKit::Create("analytics", CRM_ANALYTICS_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    store_ = std::make_unique<ReportStore>(test_->kit().pool);
    auto& users = test_->users();
    users.Add(1, auth::v1::ADMIN, "");
    users.Add(10, auth::v1::SALES_MANAGER, "teams/1");
    users.Add(11, auth::v1::SALES_REP, "teams/1");
    users.Add(12, auth::v1::SALES_REP, "teams/1");
    users.Add(13, auth::v1::SALES_REP, "teams/1");
    users.Add(20, auth::v1::SALES_MANAGER, "teams/2");
    users.Add(21, auth::v1::SALES_REP, "teams/2");
    users.Add(30, auth::v1::MARKETING, "");
    users.Add(40, auth::v1::SUPPORT, "");
  }

  // Delivers `payload` as an event of `type` as the consumer does: the next sequence of its
  // feed ("crm.<feed>.v1.…", ids "<feed>-<n>"), stamped `time` when given, applied in its own
  // transaction, and kept in delivered_ for a replay.
  absl::Status Deliver(const std::string& type, const google::protobuf::Message& payload,
                       std::optional<absl::Time> time = std::nullopt) {
    const std::vector<std::string> parts = absl::StrSplit(type, '.');
    const std::string feed = parts.size() > 1 ? parts[1] : type;
    const int64_t sequence = ++sequences_[feed];
    events::v1::Event event;
    event.set_id(absl::StrCat(feed, "-", sequence));
    event.set_sequence(sequence);
    event.set_type(type);
    if (time.has_value()) *event.mutable_time() = ToTimestamp(*time);
    event.mutable_payload()->PackFrom(payload);
    delivered_.push_back(event);
    return Apply(event);
  }
  // Applies `event` (again) in its own transaction, as the consumer does.
  absl::Status Apply(const events::v1::Event& event) {
    return test_->pool().InTransaction(
        [&](db::Transaction& tx) { return read_model_.Apply(tx, event); });
  }

  std::unique_ptr<service::testing::TestKit> test_;
  ReadModel read_model_;
  std::unique_ptr<ReportStore> store_;
  std::vector<events::v1::Event> delivered_;

  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ =
      auth::testing::MakeCaller(10, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller rep_ = auth::testing::MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller marketing_ = auth::testing::MakeCaller(30, auth::v1::MARKETING);
  const auth::Caller support_ = auth::testing::MakeCaller(40, auth::v1::SUPPORT);

 private:
  std::map<std::string, int64_t> sequences_;
};

}  // namespace crm::analytics::testing
