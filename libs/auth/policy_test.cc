// The policy table covers every RPC in proto/crm (a new method fails this test until
// someone decides who may call it) and answers allow/deny as documented in the protos.
#include "libs/auth/policy.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include "crm/activities/v1/activities.grpc.pb.h"
#include "crm/auth/v1/auth.grpc.pb.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/integration/v1/integration.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/grpc/status.h"

namespace crm::auth {
namespace {

// Using each generated file keeps its descriptors linked into this binary (crm_proto is a
// static library).
const google::protobuf::FileDescriptor* const kLinkedFiles[] = {
    crm::auth::v1::LoginRequest::descriptor()->file(),
    crm::customers::v1::GetCustomerRequest::descriptor()->file(),
    crm::events::v1::SubscribeRequest::descriptor()->file(),
    crm::knowledge::v1::GetProductRequest::descriptor()->file(),
    crm::orders::v1::GetOrderRequest::descriptor()->file(),
    crm::integration::v1::ReserveStockRequest::descriptor()->file(),
    crm::opportunities::v1::GetLeadRequest::descriptor()->file(),
    crm::activities::v1::GetTaskRequest::descriptor()->file(),
};

// Every .proto under proto/crm in the source tree, e.g. "crm/auth/v1/auth.proto".
std::vector<std::string> CrmProtoFiles() {
  namespace fs = std::filesystem;
  const fs::path root = CRM_PROTO_DIR;
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root / "crm")) {
    if (entry.is_regular_file() && entry.path().extension() == ".proto") {
      files.push_back(entry.path().lexically_relative(root).generic_string());
    }
  }
  return files;
}

Principal As(Role role) {
  Principal p;
  p.user_id = 1;
  p.user = "users/1";
  p.role = role;
  p.session_id = "s";
  return p;
}

Principal Service(std::string_view name) {
  Principal p;
  p.service = ServicePrincipal(name);
  return p;
}

const std::vector<Role> kAllRoles = {v1::ADMIN, v1::SALES_MANAGER, v1::SALES_REP, v1::MARKETING,
                                     v1::SUPPORT};
constexpr char kSubscribe[] = "/crm.events.v1.EventFeed/Subscribe";

TEST(Policy, EveryCrmMethodHasARow) {
  ASSERT_EQ(std::size(kLinkedFiles), 8u);
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const std::vector<std::string> files = CrmProtoFiles();
  ASSERT_GE(files.size(), 3u);
  int methods = 0;
  for (const std::string& name : files) {
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    ASSERT_NE(file, nullptr) << name
                             << " is not linked into this test: use one of its messages in "
                                "kLinkedFiles, and add its methods to policy.cc";
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string method = "/" + service->full_name() + "/" + service->method(m)->name();
        EXPECT_NE(Policy::Default().Find(method), nullptr)
            << method << " has no row in Policy::Default() (libs/auth/policy.cc)";
        ++methods;
      }
    }
  }
  EXPECT_GE(methods, 25);
}

TEST(Policy, RowsAreUniqueAndNameRealMethods) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::string_view> seen;
  for (const MethodRule& rule : Policy::Default().rules()) {
    EXPECT_TRUE(seen.insert(rule.method).second) << "duplicate row " << rule.method;
    ASSERT_EQ(rule.method.substr(0, 1), "/");
    const size_t slash = rule.method.find('/', 1);
    ASSERT_NE(slash, std::string_view::npos) << rule.method;
    const std::string service(rule.method.substr(1, slash - 1));
    const std::string method(rule.method.substr(slash + 1));
    // Rows for crm.* must match a method in the protos (no typos that leave it denied).
    if (service.rfind("crm.", 0) == 0) {
      const auto* descriptor = pool->FindServiceByName(service);
      ASSERT_NE(descriptor, nullptr) << rule.method;
      EXPECT_NE(descriptor->FindMethodByName(method), nullptr) << rule.method;
    }
    if (rule.access == Access::kRoles) {
      EXPECT_FALSE(rule.roles.empty() && rule.services.empty())
          << rule.method << " is open to no one";
    }
  }
}

TEST(Policy, PublicMethods) {
  const Policy& policy = Policy::Default();
  for (std::string_view method :
       {"/crm.auth.v1.AuthService/Login", "/crm.auth.v1.AuthService/RefreshToken",
        "/crm.auth.v1.AuthService/GetPublicKeys", "/crm.auth.v1.AuthService/IssueServiceToken",
        "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}) {
    EXPECT_TRUE(policy.PublicAtService(method)) << method;
    EXPECT_TRUE(policy.PublicAtGateway(method)) << method;
  }
  EXPECT_TRUE(policy.PublicAtService("/crm.auth.v1.AuthService/ListRevokedSessions"));
  EXPECT_FALSE(policy.PublicAtGateway("/crm.auth.v1.AuthService/ListRevokedSessions"));
  EXPECT_FALSE(policy.PublicAtService("/crm.auth.v1.AuthService/Logout"));
  EXPECT_FALSE(policy.PublicAtService("/crm.customers.v1.CustomerService/ListCustomers"));
  EXPECT_FALSE(policy.PublicAtService("/crm.unknown.v1.X/Y"));
  EXPECT_FALSE(policy.PublicAtGateway("/crm.unknown.v1.X/Y"));
}

TEST(Policy, CustomerMethodsByRole) {
  const Policy& policy = Policy::Default();
  struct Case {
    std::string_view method;
    std::set<Role> allowed;
  };
  const std::string prefix = "/crm.customers.v1.CustomerService/";
  const std::vector<Case> cases = {
      {"CreateCustomer", {v1::ADMIN, v1::SALES_MANAGER, v1::SALES_REP, v1::MARKETING}},
      {"GetCustomer", {kAllRoles.begin(), kAllRoles.end()}},
      {"ListCustomers", {kAllRoles.begin(), kAllRoles.end()}},
      {"UpdateCustomer", {v1::ADMIN, v1::SALES_MANAGER, v1::SALES_REP, v1::MARKETING}},
      {"DeleteCustomer", {v1::ADMIN, v1::SALES_MANAGER, v1::SALES_REP}},
  };
  for (const Case& c : cases) {
    const std::string method = prefix + std::string(c.method);
    for (Role role : kAllRoles) {
      absl::Status status = policy.Check(As(role), method);
      if (c.allowed.contains(role)) {
        EXPECT_TRUE(status.ok()) << RoleName(role) << " " << method;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << RoleName(role) << method;
        EXPECT_EQ(ErrorReason(status), "PERMISSION_DENIED");
      }
    }
  }
}

TEST(Policy, AdminOnlyAndSelfServiceAuthMethods) {
  const Policy& policy = Policy::Default();
  for (std::string_view name :
       {"RotateSigningKey", "CreateUser", "UpdateUser", "DisableUser", "SetUserPassword",
        "CreateTeam", "UpdateTeam", "ListAuditEvents", "ListServiceAccounts"}) {
    const std::string method = "/crm.auth.v1.AuthService/" + std::string(name);
    EXPECT_TRUE(policy.Check(As(v1::ADMIN), method).ok()) << method;
    for (Role role : {v1::SALES_MANAGER, v1::SALES_REP, v1::MARKETING, v1::SUPPORT}) {
      EXPECT_FALSE(policy.Check(As(role), method).ok()) << RoleName(role) << method;
    }
  }
  for (std::string_view name : {"Logout", "ChangePassword", "GetCurrentUser", "GetUser",
                                "ListUsers", "GetTeam", "ListTeams"}) {
    const std::string method = "/crm.auth.v1.AuthService/" + std::string(name);
    for (Role role : kAllRoles) {
      EXPECT_TRUE(policy.Check(As(role), method).ok()) << RoleName(role) << method;
    }
  }
}

// The feeds are internal: the services that build on other services' events read them, no
// user does (not even an admin).
TEST(Policy, EventFeedsAreForServicesOnly) {
  const Policy& policy = Policy::Default();
  for (Role role : kAllRoles) {
    absl::Status status = policy.Check(As(role), kSubscribe);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << RoleName(role);
    EXPECT_EQ(ErrorReason(status), "PERMISSION_DENIED");
  }
  const std::set<std::string_view> readers = {"analytics", "activities", "opportunities", "orders"};
  for (std::string_view name : kServiceNames) {
    EXPECT_EQ(policy.Check(Service(name), kSubscribe).ok(), readers.contains(name)) << name;
  }
}

// A service token passes only the rows that name the service, whatever else it claims.
TEST(Policy, AServicePassesOnlyRowsThatNameIt) {
  const Policy& policy = Policy::Default();
  for (std::string_view name : kServiceNames) {
    for (const MethodRule& rule : policy.rules()) {
      const bool public_row = rule.access != Access::kRoles;
      const bool named =
          std::find(rule.services.begin(), rule.services.end(), name) != rule.services.end();
      absl::Status status = policy.Check(Service(name), rule.method);
      EXPECT_EQ(status.ok(), public_row || named) << name << " " << rule.method;
      if (!status.ok()) {
        EXPECT_EQ(ErrorReason(status), "PERMISSION_DENIED");
      }
    }
  }
  // A role smuggled into a service principal changes nothing; an unknown service is no one.
  Principal admin_service = Service("analytics");
  admin_service.role = v1::ADMIN;
  EXPECT_FALSE(policy.Check(admin_service, "/crm.auth.v1.AuthService/CreateUser").ok());
  EXPECT_FALSE(policy.Check(Service("billing"), kSubscribe).ok());
  Principal malformed;
  malformed.service = "analytics";  // not services/{name}
  EXPECT_FALSE(policy.Check(malformed, kSubscribe).ok());
}

// knowledge.proto: GetProductPrice is open to the orders service's own identity.
TEST(Policy, OrdersReadsKnowledgePricesAsItself) {
  const Policy& policy = Policy::Default();
  EXPECT_TRUE(
      policy.Check(Service("orders"), "/crm.knowledge.v1.CatalogService/GetProductPrice").ok());
  EXPECT_FALSE(
      policy.Check(Service("analytics"), "/crm.knowledge.v1.CatalogService/GetProductPrice").ok());
  EXPECT_FALSE(
      policy.Check(Service("orders"), "/crm.knowledge.v1.CatalogService/SetProductPrice").ok());
}

// knowledge.proto: the line's product snapshot (GetProduct) too, and nothing that writes.
TEST(Policy, OrdersReadsKnowledgeProductsAsItself) {
  const Policy& policy = Policy::Default();
  EXPECT_TRUE(policy.Check(Service("orders"), "/crm.knowledge.v1.CatalogService/GetProduct").ok());
  EXPECT_FALSE(
      policy.Check(Service("orders"), "/crm.knowledge.v1.CatalogService/UpdateProduct").ok());
}

// orders.proto: the inventory and finance systems report shipments and payments as
// themselves, each only its own kind, and no user may pose as them.
TEST(Policy, ExternalSystemsReportOnlyTheirOwnFacts) {
  const Policy& policy = Policy::Default();
  constexpr char kShipment[] = "/crm.orders.v1.IntegrationService/RecordShipment";
  constexpr char kPayment[] = "/crm.orders.v1.IntegrationService/RecordPayment";
  EXPECT_TRUE(policy.Check(Service("inventory"), kShipment).ok());
  EXPECT_FALSE(policy.Check(Service("inventory"), kPayment).ok());
  EXPECT_TRUE(policy.Check(Service("finance"), kPayment).ok());
  EXPECT_FALSE(policy.Check(Service("finance"), kShipment).ok());
  for (Role role : kAllRoles) {
    EXPECT_FALSE(policy.Check(As(role), kShipment).ok()) << RoleName(role);
    EXPECT_FALSE(policy.Check(As(role), kPayment).ok()) << RoleName(role);
  }
  // Neither reads orders or anything else of the suite.
  EXPECT_FALSE(policy.Check(Service("inventory"), "/crm.orders.v1.OrderService/GetOrder").ok());
  EXPECT_FALSE(policy.Check(Service("finance"), kSubscribe).ok());
}

// orders.proto: MARKETING has no order method; SUPPORT reads orders and handles returns but
// sells nothing; only managers and admins approve.
TEST(Policy, OrderMethodsByRole) {
  const Policy& policy = Policy::Default();
  auto allowed = [&](Role role, const std::string& method) {
    return policy.Check(As(role), "/crm.orders.v1." + method).ok();
  };
  for (const MethodRule& rule : policy.rules()) {
    if (std::string_view(rule.method).starts_with("/crm.orders.v1.")) {
      EXPECT_FALSE(policy.Check(As(v1::MARKETING), rule.method).ok()) << rule.method;
    }
  }
  EXPECT_TRUE(allowed(v1::SUPPORT, "OrderService/ListCustomerOrders"));
  EXPECT_TRUE(allowed(v1::SUPPORT, "ReturnService/CreateReturn"));
  EXPECT_TRUE(allowed(v1::SUPPORT, "ReturnService/ResolveReturn"));
  EXPECT_FALSE(allowed(v1::SUPPORT, "OrderService/CreateOrder"));
  EXPECT_FALSE(allowed(v1::SUPPORT, "OrderService/ApproveOrder"));
  EXPECT_TRUE(allowed(v1::SALES_REP, "OrderService/SubmitOrder"));
  EXPECT_FALSE(allowed(v1::SALES_REP, "OrderService/ApproveOrder"));
  EXPECT_FALSE(allowed(v1::SALES_REP, "ReturnService/ApproveReturn"));
  EXPECT_TRUE(allowed(v1::SALES_MANAGER, "OrderService/ApproveOrder"));
  EXPECT_FALSE(allowed(v1::SALES_MANAGER, "ApprovalRuleService/CreateApprovalRule"));
  EXPECT_FALSE(allowed(v1::SALES_MANAGER, "IntegrationService/ReplayDelivery"));
  EXPECT_TRUE(allowed(v1::ADMIN, "IntegrationService/GetReconciliationReport"));
}

TEST(Policy, NoServiceMayCallAnAdminMethod) {
  for (const MethodRule& rule : Policy::Default().rules()) {
    if (rule.roles == std::vector<Role>{v1::ADMIN}) {
      EXPECT_TRUE(rule.services.empty()) << rule.method << " is ADMIN-only but open to a service";
    }
  }
}

TEST(Policy, EveryServiceNamedIsOneOfTheSuites) {
  int named = 0;
  for (const MethodRule& rule : Policy::Default().rules()) {
    for (std::string_view service : rule.services) {
      EXPECT_TRUE(IsKnownService(service)) << rule.method << " names " << service;
      ++named;
    }
    if (!rule.services.empty()) {
      EXPECT_EQ(rule.access, Access::kRoles) << rule.method;
    }
  }
  EXPECT_GT(named, 0);
}

TEST(Policy, UnknownMethodsAndRolesAreDenied) {
  const Policy& policy = Policy::Default();
  absl::Status status = policy.Check(As(v1::ADMIN), "/crm.orders.v1.OrderService/EraseEverything");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(status), "METHOD_NOT_IN_POLICY");
  // Method names are exact: no missing slash, no case folding.
  EXPECT_FALSE(policy.Check(As(v1::ADMIN), "crm.customers.v1.CustomerService/GetCustomer").ok());
  EXPECT_FALSE(policy.Check(As(v1::ADMIN), "/crm.customers.v1.customerservice/GetCustomer").ok());
  EXPECT_FALSE(
      policy.Check(As(v1::ROLE_UNSPECIFIED), "/crm.customers.v1.CustomerService/GetCustomer").ok());
}

TEST(Policy, CustomTables) {
  Policy policy({{"/a.B/C", Access::kRoles, {v1::SUPPORT}}, {"/a.B/D", Access::kPublic, {}}});
  EXPECT_TRUE(policy.Check(As(v1::SUPPORT), "/a.B/C").ok());
  EXPECT_FALSE(policy.Check(As(v1::ADMIN), "/a.B/C").ok());
  EXPECT_TRUE(policy.PublicAtGateway("/a.B/D"));
  EXPECT_EQ(policy.Find("/a.B/E"), nullptr);
}

// Analytics lists a rep's team as itself (the staff ranking), and reads no single
// user nor changes any; the ranking itself is for the figure readers, not support.
TEST(Policy, AnalyticsListsTeamsAsItselfForTheStaffRanking) {
  const Policy& policy = Policy::Default();
  EXPECT_TRUE(policy.Check(Service("analytics"), "/crm.auth.v1.AuthService/ListUsers").ok());
  EXPECT_FALSE(policy.Check(Service("analytics"), "/crm.auth.v1.AuthService/GetUser").ok());
  EXPECT_FALSE(policy.Check(Service("analytics"), "/crm.auth.v1.AuthService/UpdateUser").ok());
  const std::string ranking = "/crm.analytics.v1.ReportService/GetStaffRanking";
  for (Role role : {v1::ADMIN, v1::SALES_MANAGER, v1::SALES_REP, v1::MARKETING}) {
    EXPECT_TRUE(policy.Check(As(role), ranking).ok()) << RoleName(role);
  }
  EXPECT_FALSE(policy.Check(As(v1::SUPPORT), ranking).ok());
}

}  // namespace
}  // namespace crm::auth
