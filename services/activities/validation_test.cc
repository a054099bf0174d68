#include "services/activities/validation.h"

#include <gtest/gtest.h>

#include <string>

#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

bool HasViolation(const absl::Status& st, const std::string& field) {
  for (const FieldViolation& v : FieldViolations(st)) {
    if (v.field == field) return true;
  }
  return false;
}

v1::Activity ValidCall() {
  v1::Activity a;
  a.set_kind(v1::CALL);
  a.set_customer("customers/7");
  a.mutable_activity_time()->set_seconds(1772355600);
  a.set_summary("  Asked about delivery dates.  ");
  return a;
}

TEST(ActivityValidationTest, AValidCallIsTrimmed) {
  v1::Activity a = ValidCall();
  ASSERT_TRUE(NormalizeAndValidateActivity(a, "activity").ok());
  EXPECT_EQ(a.summary(), "Asked about delivery dates.");
}

TEST(ActivityValidationTest, EveryBadFieldIsReportedAtOnce) {
  v1::Activity a;
  a.set_contact("customers/8/contacts/1");
  a.set_lead("opportunities/3");
  a.set_duration_seconds(90'000);
  a.add_attachments("two words");
  absl::Status st = NormalizeAndValidateActivity(a, "activity");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"activity.kind", "activity.customer", "activity.activity_time",
                            "activity.summary", "activity.lead", "activity.duration_seconds",
                            "activity.attachments[0]"}) {
    EXPECT_TRUE(HasViolation(st, field)) << field << ": " << st;
  }
}

TEST(ActivityValidationTest, AContactMustBelongToTheActivitysCustomer) {
  v1::Activity a = ValidCall();
  a.set_contact("customers/8/contacts/1");
  EXPECT_TRUE(HasViolation(NormalizeAndValidateActivity(a, "activity"), "activity.contact"));
  a.set_contact("customers/7/contacts/1");
  EXPECT_TRUE(NormalizeAndValidateActivity(a, "activity").ok());
}

TEST(TaskValidationTest, RemindersAreSortedWithoutRepeatsAndNotAfterTheDueTime) {
  v1::Task t;
  t.set_title("Send the quote");
  t.mutable_due_time()->set_seconds(1000);
  t.add_reminder_times()->set_seconds(900);
  t.add_reminder_times()->set_seconds(500);
  t.add_reminder_times()->set_seconds(900);
  ASSERT_TRUE(NormalizeAndValidateTask(t, "task").ok());
  ASSERT_EQ(t.reminder_times_size(), 2);
  EXPECT_EQ(t.reminder_times(0).seconds(), 500);
  EXPECT_EQ(t.reminder_times(1).seconds(), 900);
  EXPECT_EQ(t.priority(), v1::NORMAL);

  t.add_reminder_times()->set_seconds(1001);
  EXPECT_TRUE(HasViolation(NormalizeAndValidateTask(t, "task"), "task.reminder_times[2]"));
}

TEST(TaskValidationTest, ATaskNeedsATitleAndADueTime) {
  v1::Task t;
  t.set_assignee("bob");
  absl::Status st = NormalizeAndValidateTask(t, "task");
  EXPECT_TRUE(HasViolation(st, "task.title")) << st;
  EXPECT_TRUE(HasViolation(st, "task.due_time")) << st;
  EXPECT_TRUE(HasViolation(st, "task.assignee")) << st;
}

}  // namespace
}  // namespace crm::activities
