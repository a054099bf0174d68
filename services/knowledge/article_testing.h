// The fixture of the article tests (article_store_test.cc, article_access_test.cc): a
// knowledge schema of their own on the test MariaDB, the service over the real store, and
// one-line calls of every RPC handler as a given caller.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/auth/testing.h"
#include "libs/grpc/status.h"
#include "libs/service/testing.h"
#include "services/knowledge/article_service.h"

namespace crm::knowledge::testing {

class ArticleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto test = service::testing::TestKit::Create("knowledge", CRM_KNOWLEDGE_SCHEMA_DIR);
    ASSERT_TRUE(test.ok()) << test.status();
    test_ = std::move(*test);
    store_ = std::make_unique<ArticleStore>(test_->pool(), test_->clock());
    service_ = std::make_unique<ArticleService>(test_->kit(), *store_);
  }

  // `handler` of the service called as `caller`, its response or its error.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(absl::Status (ArticleService::*handler)(const auth::Caller&,
                                                                        const Request&, Response*),
                                const auth::Caller& caller, const Request& request) {
    Response response;
    CRM_RETURN_IF_ERROR((service_.get()->*handler)(caller, request, &response));
    return response;
  }

  absl::StatusOr<v1::Article> Create(const auth::Caller& caller, v1::ArticleKind kind,
                                     const std::string& title, const std::string& body = "",
                                     std::vector<std::string> tags = {},
                                     std::vector<std::string> products = {},
                                     const std::string& request_id = "") {
    v1::CreateArticleRequest req;
    req.set_request_id(request_id);
    v1::Article* a = req.mutable_article();
    a->set_kind(kind);
    a->set_title(title);
    a->set_body(body);
    for (std::string& tag : tags) a->add_tags(std::move(tag));
    for (std::string& product : products) a->add_products(std::move(product));
    return Call(&ArticleService::Create, caller, req);
  }

  absl::StatusOr<v1::Article> Get(const auth::Caller& caller, const std::string& name,
                                  bool record_view = false) {
    v1::GetArticleRequest req;
    req.set_name(name);
    req.set_record_view(record_view);
    return Call(&ArticleService::Get, caller, req);
  }

  // Updates the fields of `changes` named in `paths` of article changes.name().
  absl::StatusOr<v1::Article> Update(const auth::Caller& caller, const v1::Article& changes,
                                     const std::vector<std::string>& paths,
                                     const std::string& request_id = "") {
    v1::UpdateArticleRequest req;
    *req.mutable_article() = changes;
    for (const std::string& path : paths) req.mutable_update_mask()->add_paths(path);
    req.set_request_id(request_id);
    return Call(&ArticleService::Update, caller, req);
  }

  absl::StatusOr<v1::Article> SetTitle(const auth::Caller& caller, const std::string& name,
                                       const std::string& title, const std::string& etag = "") {
    v1::Article changes;
    changes.set_name(name);
    changes.set_etag(etag);
    changes.set_title(title);
    return Update(caller, changes, {"title"});
  }

  absl::StatusOr<v1::Article> Publish(const auth::Caller& caller, const std::string& name,
                                      const std::string& etag = "",
                                      const std::string& request_id = "") {
    v1::PublishArticleRequest req;
    req.set_name(name);
    req.set_etag(etag);
    req.set_request_id(request_id);
    return Call(&ArticleService::Publish, caller, req);
  }

  absl::StatusOr<v1::Article> Archive(const auth::Caller& caller, const std::string& name,
                                      const std::string& etag = "",
                                      const std::string& request_id = "") {
    v1::ArchiveArticleRequest req;
    req.set_name(name);
    req.set_etag(etag);
    req.set_request_id(request_id);
    return Call(&ArticleService::Archive, caller, req);
  }

  absl::StatusOr<v1::Article> Rate(const auth::Caller& caller, const std::string& name,
                                   bool helpful, const std::string& request_id = "") {
    v1::RateArticleRequest req;
    req.set_name(name);
    req.set_helpful(helpful);
    req.set_request_id(request_id);
    return Call(&ArticleService::Rate, caller, req);
  }

  // Every page of the list, `page_size` articles a page.
  absl::StatusOr<std::vector<v1::Article>> ListAll(const auth::Caller& caller,
                                                   const std::string& filter,
                                                   const std::string& order_by = "",
                                                   int page_size = 2) {
    std::vector<v1::Article> all;
    v1::ListArticlesRequest req;
    req.set_filter(filter);
    req.set_order_by(order_by);
    req.set_page_size(page_size);
    for (int guard = 0; guard < 200; ++guard) {
      v1::ListArticlesResponse resp;
      CRM_RETURN_IF_ERROR(service_->List(caller, req, &resp));
      for (const v1::Article& a : resp.articles()) all.push_back(a);
      if (resp.next_page_token().empty()) return all;
      req.set_page_token(resp.next_page_token());
    }
    return absl::InternalError("the list never ended");
  }

  // The titles of ListAll's articles, in order.
  std::vector<std::string> Titles(const auth::Caller& caller, const std::string& filter,
                                  const std::string& order_by = "") {
    absl::StatusOr<std::vector<v1::Article>> all = ListAll(caller, filter, order_by);
    EXPECT_TRUE(all.ok()) << filter << ": " << all.status();
    std::vector<std::string> titles;
    if (all.ok()) {
      for (const v1::Article& a : *all) titles.push_back(a.title());
    }
    return titles;
  }

  // A product of the catalog (001_catalog.sql), written directly: the catalog half of the
  // service is not this fixture's.
  std::string AddProduct(const std::string& sku, bool active = true) {
    auto session = test_->pool().Borrow();
    EXPECT_TRUE(session.ok()) << session.status();
    if (!session.ok()) return "";
    auto rows = (*session)->Query(
        "INSERT INTO products (sku, display_name, description, category_id, unit, active, "
        "features, advantages, use_cases, creator, create_time, update_time) VALUES "
        "(?, ?, '', 1, '台', ?, '', '', '', 'users/1', NOW(6), NOW(6)) RETURNING id",
        {sku, sku, int64_t{active}});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) return "";
    return api::ResourceName("products", (*rows)[0].Int(0));
  }

  int64_t Count(const std::string& query) {
    auto session = test_->pool().Borrow();
    if (!session.ok()) return -1;
    auto rows = (*session)->Query(query, {});
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : -1;
  }
  int64_t CountRows(const std::string& table) { return Count("SELECT COUNT(*) FROM " + table); }
  int64_t CountEvents(const std::string& type) {
    return Count(absl::StrCat("SELECT COUNT(*) FROM outbox WHERE event_type = '", type, "'"));
  }

  std::unique_ptr<service::testing::TestKit> test_;
  std::unique_ptr<ArticleStore> store_;
  std::unique_ptr<ArticleService> service_;

  const auth::Caller admin_ = auth::testing::MakeCaller(1, auth::v1::ADMIN);
  const auth::Caller manager_ = auth::testing::MakeCaller(10, auth::v1::SALES_MANAGER);
  const auth::Caller rep_ = auth::testing::MakeCaller(11, auth::v1::SALES_REP);
  const auth::Caller other_rep_ = auth::testing::MakeCaller(12, auth::v1::SALES_REP);
  const auth::Caller marketing_ = auth::testing::MakeCaller(30, auth::v1::MARKETING);
  const auth::Caller support_ = auth::testing::MakeCaller(40, auth::v1::SUPPORT);
};

// The code and ErrorInfo reason of a result, for one-line expectations:
// EXPECT_EQ(Outcome(result), "NOT_FOUND/ARTICLE_NOT_FOUND").
template <typename T>
std::string Outcome(const absl::StatusOr<T>& result) {
  if (result.ok()) return "OK";
  return absl::StrCat(absl::StatusCodeToString(result.status().code()), "/",
                      ErrorReason(result.status()));
}

}  // namespace crm::knowledge::testing
