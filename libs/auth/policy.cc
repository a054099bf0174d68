// The policy table: one row per gRPC method of every service, read by the gateway and by
// each service's Authorizer. A method that is not here is denied to everyone, so a new RPC
// is closed until someone decides who may call it (policy_test fails until they do).
#include "libs/auth/policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

constexpr Role kAdmin = v1::ADMIN;
constexpr Role kManager = v1::SALES_MANAGER;
constexpr Role kRep = v1::SALES_REP;
constexpr Role kMarketing = v1::MARKETING;
constexpr Role kSupport = v1::SUPPORT;

MethodRule Public(std::string_view method) { return {method, Access::kPublic, {}}; }
MethodRule InternalPublic(std::string_view method) { return {method, Access::kInternalPublic, {}}; }
// The roles allowed and, where another service needs the method for its own work, the
// services allowed to call it as themselves.
MethodRule Roles(std::string_view method, std::vector<Role> roles,
                 std::vector<std::string_view> services = {}) {
  return {method, Access::kRoles, std::move(roles), std::move(services)};
}
// Internal methods no user may call: only the services named, acting as themselves.
MethodRule ServicesOnly(std::string_view method, std::vector<std::string_view> services) {
  return {method, Access::kRoles, {}, std::move(services)};
}

std::vector<Role> AllRoles() { return {kAdmin, kManager, kRep, kMarketing, kSupport}; }
std::vector<Role> AdminOnly() { return {kAdmin}; }
std::vector<Role> CatalogEditors() { return {kAdmin, kManager}; }
// Who sells: creates and works on orders.
std::vector<Role> Sellers() { return {kAdmin, kManager, kRep}; }
std::vector<Role> OrderReaders() { return {kAdmin, kManager, kRep, kSupport}; }
std::vector<Role> Approvers() { return {kAdmin, kManager}; }
std::vector<Role> ReturnHandlers() { return {kAdmin, kManager, kSupport}; }
std::vector<Role> Managers() { return {kAdmin, kManager}; }
// Who records what was done with a customer (on customers they may change).
std::vector<Role> ActivityWriters() { return {kAdmin, kManager, kRep, kMarketing}; }
// Who reads sales figures (each within their record rules): not SUPPORT.
std::vector<Role> FigureReaders() { return {kAdmin, kManager, kRep, kMarketing}; }
// Who plans and runs campaigns and visit plans.
std::vector<Role> CampaignPlanners() { return {kAdmin, kManager, kMarketing}; }

std::vector<MethodRule> DefaultRules() {
  return {
      // crm.auth.v1.AuthService (proto/crm/auth/v1/auth.proto). User and team reads are
      // open to every role; the auth service narrows them to what each caller may see.
      Public("/crm.auth.v1.AuthService/Login"),
      Public("/crm.auth.v1.AuthService/RefreshToken"),
      Public("/crm.auth.v1.AuthService/GetPublicKeys"),
      // The service's secret is the credential, as the password is for Login.
      Public("/crm.auth.v1.AuthService/IssueServiceToken"),
      InternalPublic("/crm.auth.v1.AuthService/ListRevokedSessions"),
      Roles("/crm.auth.v1.AuthService/Logout", AllRoles()),
      Roles("/crm.auth.v1.AuthService/ChangePassword", AllRoles()),
      Roles("/crm.auth.v1.AuthService/GetCurrentUser", AllRoles()),
      Roles("/crm.auth.v1.AuthService/RotateSigningKey", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/CreateUser", AdminOnly()),
      // Activities tells an order's owner's manager and the support desk, as itself (a feed
      // has no user's token); a service named here reads every user. Analytics lists a rep's
      // team as itself to rank the rep among it (GetStaffRanking shows the rep only their row).
      Roles("/crm.auth.v1.AuthService/GetUser", AllRoles(), {"activities"}),
      Roles("/crm.auth.v1.AuthService/ListUsers", AllRoles(), {"activities", "analytics"}),
      Roles("/crm.auth.v1.AuthService/UpdateUser", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/DisableUser", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/SetUserPassword", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/CreateTeam", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/GetTeam", AllRoles(), {"activities"}),
      Roles("/crm.auth.v1.AuthService/ListTeams", AllRoles()),
      Roles("/crm.auth.v1.AuthService/UpdateTeam", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/ListAuditEvents", AdminOnly()),
      Roles("/crm.auth.v1.AuthService/ListServiceAccounts", AdminOnly()),

      // crm.customers.v1.CustomerService: record rules (visibility.h) narrow each call to
      // the customers the caller may read or edit; SUPPORT only reads.
      Roles("/crm.customers.v1.CustomerService/CreateCustomer",
            {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.customers.v1.CustomerService/GetCustomer", AllRoles()),
      Roles("/crm.customers.v1.CustomerService/ListCustomers", AllRoles()),
      Roles("/crm.customers.v1.CustomerService/UpdateCustomer",
            {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.customers.v1.CustomerService/DeleteCustomer", {kAdmin, kManager, kRep}),
      Roles("/crm.customers.v1.CustomerService/SearchCustomers", AllRoles()),
      Roles("/crm.customers.v1.CustomerService/FindDuplicates", AllRoles()),
      // Managers merge their team's customers, admins any; the record rules check each one.
      Roles("/crm.customers.v1.CustomerService/MergeCustomers", {kAdmin, kManager}),
      Roles("/crm.customers.v1.CustomerService/UnmergeCustomers", {kAdmin, kManager}),
      Roles("/crm.customers.v1.CustomerService/ListCustomerHistory", AllRoles()),
      // Activities sends the greetings for every rep, as itself: a service identity sees
      // every customer's dates (users see their readable customers' only).
      Roles("/crm.customers.v1.CustomerService/ListUpcomingDates", AllRoles(), {"activities"}),
      // Contacts follow their customer's record rules.
      Roles("/crm.customers.v1.ContactService/CreateContact", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.customers.v1.ContactService/GetContact", AllRoles()),
      Roles("/crm.customers.v1.ContactService/ListContacts", AllRoles()),
      Roles("/crm.customers.v1.ContactService/UpdateContact", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.customers.v1.ContactService/DeleteContact", {kAdmin, kManager, kRep, kMarketing}),
      // Marketing brings lists in; the importer (or an admin) may look at and undo a batch.
      Roles("/crm.customers.v1.CustomerBulkService/ImportCustomers", {kAdmin, kMarketing}),
      Roles("/crm.customers.v1.CustomerBulkService/GetImportBatch", {kAdmin, kMarketing}),
      Roles("/crm.customers.v1.CustomerBulkService/RollbackImport", {kAdmin, kMarketing}),
      // An export is a read: the record rules decide which customers it holds.
      Roles("/crm.customers.v1.CustomerBulkService/ExportCustomers", AllRoles()),

      // crm.knowledge.v1 (proto/crm/knowledge/v1/knowledge.proto): everyone reads the
      // catalog and the knowledge base; only admins and managers change products and prices;
      // record rules in the service narrow articles to what each caller may see and change.
      Roles("/crm.knowledge.v1.CatalogService/CreateCategory", CatalogEditors()),
      Roles("/crm.knowledge.v1.CatalogService/GetCategory", AllRoles()),
      Roles("/crm.knowledge.v1.CatalogService/ListCategories", AllRoles()),
      Roles("/crm.knowledge.v1.CatalogService/UpdateCategory", CatalogEditors()),
      Roles("/crm.knowledge.v1.CatalogService/DeleteCategory", CatalogEditors()),
      Roles("/crm.knowledge.v1.CatalogService/CreateProduct", CatalogEditors()),
      // Orders snapshots a product's name, SKU and unit on its lines, as itself.
      Roles("/crm.knowledge.v1.CatalogService/GetProduct", AllRoles(), {"orders"}),
      Roles("/crm.knowledge.v1.CatalogService/ListProducts", AllRoles()),
      Roles("/crm.knowledge.v1.CatalogService/UpdateProduct", CatalogEditors()),
      Roles("/crm.knowledge.v1.CatalogService/SetProductPrice", CatalogEditors()),
      Roles("/crm.knowledge.v1.CatalogService/ListProductPrices", AllRoles()),
      // Orders prices its lines from the price list, as itself.
      Roles("/crm.knowledge.v1.CatalogService/GetProductPrice", AllRoles(), {"orders"}),
      Roles("/crm.knowledge.v1.ArticleService/CreateArticle", AllRoles()),
      Roles("/crm.knowledge.v1.ArticleService/GetArticle", AllRoles()),
      Roles("/crm.knowledge.v1.ArticleService/ListArticles", AllRoles()),
      Roles("/crm.knowledge.v1.ArticleService/UpdateArticle", AllRoles()),
      Roles("/crm.knowledge.v1.ArticleService/PublishArticle", {kAdmin, kManager, kMarketing}),
      Roles("/crm.knowledge.v1.ArticleService/ArchiveArticle", {kAdmin, kManager, kMarketing}),
      Roles("/crm.knowledge.v1.ArticleService/ListArticleRevisions", AllRoles()),
      Roles("/crm.knowledge.v1.ArticleService/RateArticle", AllRoles()),
      Roles("/crm.knowledge.v1.KnowledgeService/SearchKnowledge", AllRoles()),

      // crm.orders.v1 (proto/crm/orders/v1/orders.proto): record rules in the service narrow
      // each call to the orders the caller may read or change; MARKETING has none of them.
      Roles("/crm.orders.v1.OrderService/CreateOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/GetOrder", OrderReaders()),
      Roles("/crm.orders.v1.OrderService/ListOrders", OrderReaders()),
      Roles("/crm.orders.v1.OrderService/ListCustomerOrders", OrderReaders()),
      Roles("/crm.orders.v1.OrderService/UpdateOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/SubmitOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/ApproveOrder", Approvers()),
      Roles("/crm.orders.v1.OrderService/RejectOrder", Approvers()),
      Roles("/crm.orders.v1.OrderService/ListPendingApprovals", Approvers()),
      Roles("/crm.orders.v1.OrderService/ConfirmOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/HoldOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/ResumeOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/CancelOrder", Sellers()),
      Roles("/crm.orders.v1.OrderService/CompleteOrder", Approvers()),
      Roles("/crm.orders.v1.ApprovalRuleService/CreateApprovalRule", AdminOnly()),
      Roles("/crm.orders.v1.ApprovalRuleService/ListApprovalRules", Sellers()),
      Roles("/crm.orders.v1.ApprovalRuleService/DeleteApprovalRule", AdminOnly()),
      // Support handles returns for every order; reps ask for their own customers'.
      Roles("/crm.orders.v1.ReturnService/CreateReturn", OrderReaders()),
      Roles("/crm.orders.v1.ReturnService/GetReturn", OrderReaders()),
      Roles("/crm.orders.v1.ReturnService/ListReturns", OrderReaders()),
      Roles("/crm.orders.v1.ReturnService/ApproveReturn", ReturnHandlers()),
      Roles("/crm.orders.v1.ReturnService/RejectReturn", ReturnHandlers()),
      Roles("/crm.orders.v1.ReturnService/ReceiveReturn", ReturnHandlers()),
      Roles("/crm.orders.v1.ReturnService/ResolveReturn", ReturnHandlers()),
      // What the inventory and finance systems report, as themselves.
      ServicesOnly("/crm.orders.v1.IntegrationService/RecordShipment", {"inventory"}),
      ServicesOnly("/crm.orders.v1.IntegrationService/RecordPayment", {"finance"}),
      Roles("/crm.orders.v1.IntegrationService/ListDeliveries", AdminOnly()),
      Roles("/crm.orders.v1.IntegrationService/ReplayDelivery", AdminOnly()),
      Roles("/crm.orders.v1.IntegrationService/GetReconciliationReport", AdminOnly()),

      // crm.integration.v1 (proto/crm/integration/v1/integration.proto) is served by the
      // company's inventory and finance systems, not by the suite: the orders relay calls it
      // as itself, and a system that checks CRM tokens can hold the caller to these rows.
      ServicesOnly("/crm.integration.v1.InventoryService/ReserveStock", {"orders"}),
      ServicesOnly("/crm.integration.v1.InventoryService/ReleaseStock", {"orders"}),
      ServicesOnly("/crm.integration.v1.InventoryService/ShipStock", {"orders"}),
      ServicesOnly("/crm.integration.v1.FinanceService/CreateInvoice", {"orders"}),
      ServicesOnly("/crm.integration.v1.FinanceService/CreateCreditNote", {"orders"}),

      // crm.opportunities.v1 (proto/crm/opportunities/v1/opportunities.proto): record rules in
      // the service narrow leads and opportunities to what each caller may see and change
      // (marketing works the lead pool and reads campaign-sourced opportunities); admins
      // configure pipelines; managers set quotas and follow-up rules.
      Roles("/crm.opportunities.v1.LeadService/CreateLead", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.opportunities.v1.LeadService/GetLead", AllRoles()),
      Roles("/crm.opportunities.v1.LeadService/ListLeads", AllRoles()),
      Roles("/crm.opportunities.v1.LeadService/UpdateLead", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.opportunities.v1.LeadService/DeleteLead", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.opportunities.v1.LeadService/ImportLeads", {kAdmin, kManager, kMarketing}),
      Roles("/crm.opportunities.v1.LeadService/DisqualifyLead",
            {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.opportunities.v1.LeadService/ConvertLead", {kAdmin, kManager, kRep, kMarketing}),
      Roles("/crm.opportunities.v1.PipelineService/CreatePipeline", AdminOnly()),
      Roles("/crm.opportunities.v1.PipelineService/GetPipeline", AllRoles()),
      Roles("/crm.opportunities.v1.PipelineService/ListPipelines", AllRoles()),
      Roles("/crm.opportunities.v1.PipelineService/UpdatePipeline", AdminOnly()),
      Roles("/crm.opportunities.v1.OpportunityService/CreateOpportunity", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/GetOpportunity", AllRoles()),
      Roles("/crm.opportunities.v1.OpportunityService/ListOpportunities", AllRoles()),
      Roles("/crm.opportunities.v1.OpportunityService/UpdateOpportunity", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/DeleteOpportunity", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/AdvanceStage", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/CloseWon", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/CloseLost", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/Reopen", Sellers()),
      Roles("/crm.opportunities.v1.OpportunityService/ListStageHistory", AllRoles()),
      Roles("/crm.opportunities.v1.FollowUpService/CreateFollowUpRule", Managers()),
      Roles("/crm.opportunities.v1.FollowUpService/GetFollowUpRule", Sellers()),
      Roles("/crm.opportunities.v1.FollowUpService/ListFollowUpRules", Sellers()),
      Roles("/crm.opportunities.v1.FollowUpService/UpdateFollowUpRule", Managers()),
      Roles("/crm.opportunities.v1.FollowUpService/DeleteFollowUpRule", Managers()),
      Roles("/crm.opportunities.v1.FollowUpService/ListFollowUpsDue", Sellers()),
      Roles("/crm.opportunities.v1.ForecastService/SetQuota", Managers()),
      Roles("/crm.opportunities.v1.ForecastService/ListQuotas", Sellers()),
      Roles("/crm.opportunities.v1.ForecastService/GetForecast", Sellers()),
      Roles("/crm.opportunities.v1.ForecastService/GetPipelineSummary", AllRoles()),
      Roles("/crm.opportunities.v1.ForecastService/ListForecastSnapshots", Sellers()),

      // crm.activities.v1 (proto/crm/activities/v1/activities.proto): record rules in the
      // service narrow activities to those on customers the caller may see (and change, for
      // writes) and tasks to those assigned to the caller (a manager's: their teams'); SUPPORT
      // reads activities but writes none, everyone keeps their own tasks.
      Roles("/crm.activities.v1.ActivityService/CreateActivity", ActivityWriters()),
      Roles("/crm.activities.v1.ActivityService/GetActivity", AllRoles()),
      Roles("/crm.activities.v1.ActivityService/ListActivities", AllRoles()),
      Roles("/crm.activities.v1.ActivityService/UpdateActivity", ActivityWriters()),
      Roles("/crm.activities.v1.ActivityService/DeleteActivity", ActivityWriters()),
      Roles("/crm.activities.v1.TaskService/CreateTask", AllRoles()),
      Roles("/crm.activities.v1.TaskService/GetTask", AllRoles()),
      Roles("/crm.activities.v1.TaskService/UpdateTask", AllRoles()),
      Roles("/crm.activities.v1.TaskService/CompleteTask", AllRoles()),
      Roles("/crm.activities.v1.TaskService/ListMyTasks", AllRoles()),
      // The inbox: everyone their own notifications only (the service never widens it by role).
      Roles("/crm.activities.v1.NotificationService/ListNotifications", AllRoles()),
      Roles("/crm.activities.v1.NotificationService/MarkNotificationsRead", AllRoles()),
      // ---- Notification delivery: the caller's own, live.
      Roles("/crm.activities.v1.NotificationService/WatchNotifications", AllRoles()),
      Roles("/crm.activities.v1.NotificationService/GetNotificationPreferences", AllRoles()),
      Roles("/crm.activities.v1.NotificationService/UpdateNotificationPreferences", AllRoles()),
      // ---- Delivery by webhook: the caller's own endpoint (an admin's for anyone, checked
      // by the service).
      Roles("/crm.activities.v1.NotificationService/SetNotificationWebhook", AllRoles()),
      Roles("/crm.activities.v1.NotificationService/GetNotificationWebhook", AllRoles()),
      Roles("/crm.activities.v1.NotificationService/DeleteNotificationWebhook", AllRoles()),
      // A customer's timeline: whoever may read the customer (the service applies the
      // customers' record rules).
      Roles("/crm.activities.v1.TimelineService/GetCustomerTimeline", AllRoles()),
      // Campaigns: marketing and managers plan and run them (and admins); everyone reads and
      // records feedback, which the service narrows to the campaigns they take part in.
      Roles("/crm.activities.v1.CampaignService/CreateCampaign", CampaignPlanners()),
      Roles("/crm.activities.v1.CampaignService/GetCampaign", AllRoles()),
      Roles("/crm.activities.v1.CampaignService/ListCampaigns", AllRoles()),
      Roles("/crm.activities.v1.CampaignService/UpdateCampaign", CampaignPlanners()),
      Roles("/crm.activities.v1.CampaignService/StartCampaign", CampaignPlanners()),
      Roles("/crm.activities.v1.CampaignService/CloseCampaign", CampaignPlanners()),
      Roles("/crm.activities.v1.CampaignService/CancelCampaign", CampaignPlanners()),
      Roles("/crm.activities.v1.CampaignService/RecordCampaignFeedback", AllRoles()),
      Roles("/crm.activities.v1.CampaignService/ListCampaignFeedback", AllRoles()),
      Roles("/crm.activities.v1.CampaignService/GetCampaignEffectiveness", AllRoles()),
      // Greetings (GreetingService): the record rules of the greeting's customer's owner,
      // marketing reads every greeting; SUPPORT has no part in them.
      Roles("/crm.activities.v1.GreetingService/ListUpcomingGreetings", ActivityWriters()),
      Roles("/crm.activities.v1.GreetingService/GetGreeting", ActivityWriters()),
      Roles("/crm.activities.v1.GreetingService/UpdateGreeting", ActivityWriters()),
      Roles("/crm.activities.v1.GreetingService/SkipGreeting", ActivityWriters()),

      // Every service's outbox feed: whole-table change streams for the services that build
      // on other services' events. No user reads them (the gateway does not route
      // crm.events.v1 either).
      ServicesOnly("/crm.events.v1.EventFeed/Subscribe",
                   {"analytics", "activities", "opportunities", "orders"}),
      // Operating the feeds a service follows (rewind to rebuild, skip past lost events): on
      // the consuming service itself, by an admin.
      Roles("/crm.events.v1.ConsumerAdmin/ListConsumerFeeds", AdminOnly()),
      Roles("/crm.events.v1.ConsumerAdmin/RewindConsumerFeed", AdminOnly()),
      Roles("/crm.events.v1.ConsumerAdmin/SkipConsumerFeedToEarliest", AdminOnly()),

      // crm.analytics.v1 (proto/crm/analytics/v1/analytics.proto): figures narrowed in the
      // service to the caller's own (rep), their teams' (manager) or everyone's (admin,
      // marketing); support reads none.
      Roles("/crm.analytics.v1.ReportService/GetSalesReport", FigureReaders()),
      // The reports as CSV and SVG: the inner report's own row applies as well (a caller
      // its policy refuses is refused here too).
      Roles("/crm.analytics.v1.ReportOutputService/ExportReport", FigureReaders()),
      Roles("/crm.analytics.v1.ReportOutputService/RenderChart", FigureReaders()),
      // The same rules for the funnel, forecast and win/loss reports.
      Roles("/crm.analytics.v1.ReportService/GetFunnelReport", FigureReaders()),
      Roles("/crm.analytics.v1.ReportService/GetForecastReport", FigureReaders()),
      Roles("/crm.analytics.v1.ReportService/GetWinLossReport", FigureReaders()),
      // Trends, customer distribution, staff ranking (same readers).
      Roles("/crm.analytics.v1.ReportService/GetTrendReport", FigureReaders()),
      Roles("/crm.analytics.v1.ReportService/GetCustomerDistribution", FigureReaders()),
      // The staff ranking (a rep gets their own row, ranked among their team).
      Roles("/crm.analytics.v1.ReportService/GetStaffRanking", FigureReaders()),
      // The campaign report; the service narrows a rep to the campaigns they take
      // part in. Support reads no figures.
      Roles("/crm.analytics.v1.ReportService/GetCampaignReport", FigureReaders()),

      // Infrastructure every server exposes.
      Public("/grpc.health.v1.Health/Check"),
      Public("/grpc.health.v1.Health/Watch"),
      Public("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),
  };
}

}  // namespace

Policy::Policy(std::vector<MethodRule> rules) : rules_(std::move(rules)) {}

const Policy& Policy::Default() {
  static const Policy* const policy = new Policy(DefaultRules());
  return *policy;
}

const MethodRule* Policy::Find(std::string_view method) const {
  for (const MethodRule& rule : rules_) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

bool Policy::PublicAtService(std::string_view method) const {
  const MethodRule* rule = Find(method);
  return rule != nullptr &&
         (rule->access == Access::kPublic || rule->access == Access::kInternalPublic);
}

bool Policy::PublicAtGateway(std::string_view method) const {
  const MethodRule* rule = Find(method);
  return rule != nullptr && rule->access == Access::kPublic;
}

absl::Status Policy::Check(const Principal& principal, std::string_view method) const {
  const MethodRule* rule = Find(method);
  if (rule == nullptr) {
    return Error(absl::StatusCode::kPermissionDenied, "METHOD_NOT_IN_POLICY",
                 "this method is not open to any caller");
  }
  if (rule->access != Access::kRoles) return absl::OkStatus();
  if (principal.IsService()) {
    const std::string_view name = ServiceName(principal.service);
    if (!name.empty() &&
        std::find(rule->services.begin(), rule->services.end(), name) != rule->services.end()) {
      return absl::OkStatus();
    }
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 absl::StrCat(principal.service, " may not call this method"));
  }
  if (principal.role != v1::ROLE_UNSPECIFIED &&
      std::find(rule->roles.begin(), rule->roles.end(), principal.role) != rule->roles.end()) {
    return absl::OkStatus();
  }
  return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
               absl::StrCat("role ", RoleName(principal.role), " may not call this method"));
}

}  // namespace crm::auth
