// The opportunities service's handlers on a migrated throw-away schema (the service kit's
// TestKit), with the customers service and the catalog answered from memory, for the store and
// handler tests beside the code. Users, by id: 1 ADMIN; team 1: 10 its SALES_MANAGER, 11 and
// 12 SALES_REP; team 2: 20 its SALES_MANAGER, 21 SALES_REP; 30 MARKETING; 40 SUPPORT.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/opportunities/clients.h"
#include "services/opportunities/follow_up_service.h"
#include "services/opportunities/forecast_service.h"
#include "services/opportunities/lead_service.h"
#include "services/opportunities/opportunity_service.h"
#include "services/opportunities/pipeline_service.h"

namespace crm::opportunities::testing {

// Customers held in memory. Every customer is visible to everyone unless hidden; creates are
// idempotent by request_id, as the customers service's are.
class FakeCustomers final : public CustomerDirectory {
 public:
  // Adds "customers/{id}".
  void Add(int64_t id, std::string industry = "", int size_band = 0) {
    absl::MutexLock lock(&mu_);
    customers::v1::Customer c;
    c.set_name(absl::StrCat("customers/", id));
    c.set_display_name(absl::StrCat("Customer ", id));
    c.set_industry(std::move(industry));
    c.set_size_band(static_cast<customers::v1::SizeBand>(size_band));
    customers_[c.name()] = c;
  }
  void Hide(const std::string& name) {
    absl::MutexLock lock(&mu_);
    hidden_.insert(name);
  }
  // The next creates fail with `status` (OK again to stop).
  void FailCreatesWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    create_failure_ = std::move(status);
  }
  int creates() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(by_request_.size());
  }
  std::vector<customers::v1::CreateCustomerRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  absl::StatusOr<customers::v1::Customer> GetCustomer(const auth::Caller&,
                                                      std::string_view name) override {
    absl::MutexLock lock(&mu_);
    auto it = customers_.find(std::string(name));
    if (it == customers_.end() || hidden_.contains(std::string(name))) {
      return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND", "no such customer");
    }
    return it->second;
  }

  absl::StatusOr<customers::v1::Customer> CreateCustomer(
      const auth::Caller&, const customers::v1::CreateCustomerRequest& request) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    if (!create_failure_.ok()) return create_failure_;
    if (auto it = by_request_.find(request.request_id()); it != by_request_.end()) {
      return customers_.at(it->second);
    }
    customers::v1::Customer c = request.customer();
    c.set_name(absl::StrCat("customers/", next_id_++));
    customers_[c.name()] = c;
    by_request_[request.request_id()] = c.name();
    return c;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, customers::v1::Customer> customers_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> hidden_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> by_request_ ABSL_GUARDED_BY(mu_);
  std::vector<customers::v1::CreateCustomerRequest> requests_ ABSL_GUARDED_BY(mu_);
  absl::Status create_failure_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1000;
};

// Products "products/1" to "products/9" exist, unless hidden.
class FakeCatalog final : public ProductCatalog {
 public:
  void Hide(const std::string& name) {
    absl::MutexLock lock(&mu_);
    hidden_.insert(name);
  }
  absl::Status CheckProduct(const auth::Caller&, std::string_view name) override {
    absl::MutexLock lock(&mu_);
    const std::string n(name);
    if (n.size() != 10 || !n.starts_with("products/") || hidden_.contains(n)) {
      return Error(absl::StatusCode::kNotFound, "PRODUCT_NOT_FOUND", "no such product");
    }
    return absl::OkStatus();
  }

 private:
  absl::Mutex mu_;
  std::set<std::string> hidden_ ABSL_GUARDED_BY(mu_);
};

// The default pipeline's stages (001_pipelines.sql), by name.
inline constexpr char kProspecting[] = "pipelines/1/stages/1";
inline constexpr char kQualification[] = "pipelines/1/stages/2";
inline constexpr char kNeedsAnalysis[] = "pipelines/1/stages/3";
inline constexpr char kProposal[] = "pipelines/1/stages/4";
inline constexpr char kNegotiation[] = "pipelines/1/stages/5";
inline constexpr char kWonStage[] = "pipelines/1/stages/6";
inline constexpr char kLostStage[] = "pipelines/1/stages/7";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("opportunities", CRM_OPPORTUNITIES_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    options_.time_zone = absl::UTCTimeZone();
    options_.min_learning_sample = 10;
    service::Kit& kit = test_->kit();
    pipelines_ = std::make_unique<PipelineStore>(kit.pool, kit.clock);
    opportunities_ = std::make_unique<OpportunityStore>(kit.pool, kit.clock, options_.time_zone,
                                                        options_.min_learning_sample);
    leads_ = std::make_unique<LeadStore>(kit.pool, kit.clock, *opportunities_);
    follow_ups_ = std::make_unique<FollowUpStore>(kit.pool, kit.clock, options_.time_zone,
                                                  *opportunities_);
    forecasts_ = std::make_unique<ForecastStore>(kit.pool, kit.clock, options_.time_zone,
                                                 *opportunities_);
    lead_service_ =
        std::make_unique<LeadService>(kit, *leads_, customers_, catalog_, options_);
    pipeline_service_ = std::make_unique<PipelineService>(kit, *pipelines_);
    opportunity_service_ =
        std::make_unique<OpportunityService>(kit, *opportunities_, customers_, catalog_);
    follow_up_service_ = std::make_unique<FollowUpService>(kit, *follow_ups_);
    forecast_service_ = std::make_unique<ForecastService>(kit, *forecasts_);
    auto& users = test_->users();
    users.Add(1, auth::v1::ADMIN, "");
    users.Add(10, auth::v1::SALES_MANAGER, "teams/1");
    users.Add(11, auth::v1::SALES_REP, "teams/1");
    users.Add(12, auth::v1::SALES_REP, "teams/1");
    users.Add(20, auth::v1::SALES_MANAGER, "teams/2");
    users.Add(21, auth::v1::SALES_REP, "teams/2");
    users.Add(30, auth::v1::MARKETING, "");
    users.Add(40, auth::v1::SUPPORT, "");
    for (int64_t id = 1; id <= 20; ++id) customers_.Add(id);
  }

  // A new open opportunity of the default pipeline for `customer`, owned by `who`.
  v1::Opportunity NewOpportunity(const auth::Caller& who, const std::string& title,
                                 int64_t amount_yuan = 0, const std::string& customer = "customers/1",
                                 const std::string& campaign = "") {
    v1::CreateOpportunityRequest request;
    v1::Opportunity& o = *request.mutable_opportunity();
    o.set_title(title);
    o.set_customer(customer);
    o.set_campaign(campaign);
    if (amount_yuan > 0) {
      o.mutable_amount()->set_currency_code("CNY");
      o.mutable_amount()->set_units(amount_yuan);
    }
    v1::Opportunity out;
    absl::Status st = opportunity_service_->DoCreateOpportunity(who, request, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status Advance(const auth::Caller& who, const std::string& name, const std::string& stage,
                       v1::Opportunity* out = nullptr) {
    v1::AdvanceStageRequest request;
    request.set_name(name);
    request.set_stage(stage);
    v1::Opportunity ignored;
    return opportunity_service_->DoAdvanceStage(who, request, out ? out : &ignored);
  }
  absl::Status Win(const auth::Caller& who, const std::string& name,
                   v1::Opportunity* out = nullptr) {
    v1::CloseWonRequest request;
    request.set_name(name);
    v1::Opportunity ignored;
    return opportunity_service_->DoCloseWon(who, request, out ? out : &ignored);
  }
  absl::Status Lose(const auth::Caller& who, const std::string& name,
                    const std::string& reason = "price", v1::Opportunity* out = nullptr) {
    v1::CloseLostRequest request;
    request.set_name(name);
    request.set_reason(reason);
    v1::Opportunity ignored;
    return opportunity_service_->DoCloseLost(who, request, out ? out : &ignored);
  }
  absl::Status Reopen(const auth::Caller& who, const std::string& name,
                      const std::string& stage = "", v1::Opportunity* out = nullptr) {
    v1::ReopenRequest request;
    request.set_name(name);
    request.set_stage(stage);
    v1::Opportunity ignored;
    return opportunity_service_->DoReopen(who, request, out ? out : &ignored);
  }
  absl::StatusOr<v1::Opportunity> Get(const auth::Caller& who, const std::string& name) {
    v1::GetOpportunityRequest request;
    request.set_name(name);
    v1::Opportunity out;
    CRM_RETURN_IF_ERROR(opportunity_service_->DoGetOpportunity(who, request, &out));
    return out;
  }

  int64_t Count(const std::string& sql) {
    auto session = test_->pool().Borrow();
    EXPECT_TRUE(session.ok());
    if (!session.ok()) return -1;
    auto rows = (*session)->Query(sql, {});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? rows->at(0).Int(0) : -1;
  }
  absl::Status Execute(const std::string& sql, std::vector<db::Value> params = {}) {
    CRM_ASSIGN_OR_RETURN(auto session, test_->pool().Borrow());
    return session->Execute(sql, params).status();
  }

  std::unique_ptr<service::testing::TestKit> test_;
  Options options_;
  FakeCustomers customers_;
  FakeCatalog catalog_;
  std::unique_ptr<PipelineStore> pipelines_;
  std::unique_ptr<OpportunityStore> opportunities_;
  std::unique_ptr<LeadStore> leads_;
  std::unique_ptr<FollowUpStore> follow_ups_;
  std::unique_ptr<ForecastStore> forecasts_;
  std::unique_ptr<LeadService> lead_service_;
  std::unique_ptr<PipelineService> pipeline_service_;
  std::unique_ptr<OpportunityService> opportunity_service_;
  std::unique_ptr<FollowUpService> follow_up_service_;
  std::unique_ptr<ForecastService> forecast_service_;

  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ =
      auth::testing::MakeCaller(10, auth::v1::SALES_MANAGER, "teams/1", {"teams/1"});
  const auth::Caller rep_ = auth::testing::MakeCaller(11, auth::v1::SALES_REP, "teams/1");
  const auth::Caller teammate_ = auth::testing::MakeCaller(12, auth::v1::SALES_REP, "teams/1");
  const auth::Caller other_manager_ =
      auth::testing::MakeCaller(20, auth::v1::SALES_MANAGER, "teams/2", {"teams/2"});
  const auth::Caller other_rep_ = auth::testing::MakeCaller(21, auth::v1::SALES_REP, "teams/2");
  const auth::Caller marketing_ = auth::testing::MakeCaller(30, auth::v1::MARKETING);
  const auth::Caller support_ = auth::testing::MakeCaller(40, auth::v1::SUPPORT);
};

}  // namespace crm::opportunities::testing
