#include "libs/api/match_key.h"

#include <gtest/gtest.h>

namespace crm::api {
namespace {

TEST(CompanyMatchKeyTest, ChineseLegalFormsAndPunctuationGo) {
  EXPECT_EQ(CompanyMatchKey("苏州精工机械有限公司"), "苏州精工机械");
  EXPECT_EQ(CompanyMatchKey("苏州精工机械"), "苏州精工机械");
  EXPECT_EQ(CompanyMatchKey("苏州 精工机械（有限公司）"), "苏州精工机械");
  EXPECT_EQ(CompanyMatchKey("宁波东海制造股份有限公司"), "宁波东海制造");
  EXPECT_EQ(CompanyMatchKey("杭州某某科技有限责任公司"), "杭州某某科技");
  EXPECT_EQ(CompanyMatchKey("阿里巴巴（中国）有限公司"), "阿里巴巴中国");
}

TEST(CompanyMatchKeyTest, LatinLegalFormsCaseAndWidthGo) {
  EXPECT_EQ(CompanyMatchKey("ACME Trading Co., Ltd."), "acmetrading");
  EXPECT_EQ(CompanyMatchKey("Acme Trading Co.,Ltd"), "acmetrading");
  EXPECT_EQ(CompanyMatchKey("Ａｃｍｅ　Trading Company Limited"), "acmetrading");
  EXPECT_EQ(CompanyMatchKey("Acme Trading, Inc."), "acmetrading");
  EXPECT_EQ(CompanyMatchKey("Müller GmbH"), "müller");
  EXPECT_EQ(CompanyMatchKey("Société Générale S.A."), CompanyMatchKey("Société Générale"));
  EXPECT_EQ(CompanyMatchKey("Globex Corporation"), "globex");
  EXPECT_EQ(CompanyMatchKey("Initech LLC"), "initech");
}

TEST(CompanyMatchKeyTest, KeepsWordsThatOnlyLookLikeSuffixes) {
  EXPECT_EQ(CompanyMatchKey("Costco"), "costco");    // "co" inside a word
  EXPECT_EQ(CompanyMatchKey("Company"), "company");  // would be left empty
  EXPECT_EQ(CompanyMatchKey("有限公司"), "有限公司");
  EXPECT_EQ(CompanyMatchKey("Route 66 Inc"), "route66");
  EXPECT_EQ(CompanyMatchKey("A2co"), "a2co");
}

TEST(CompanyMatchKeyTest, DifferentCompaniesKeepDifferentKeys) {
  EXPECT_NE(CompanyMatchKey("苏州精工机械有限公司"), CompanyMatchKey("苏州精工电子有限公司"));
  EXPECT_NE(CompanyMatchKey("Acme Trading Ltd"), CompanyMatchKey("Acme Travel Ltd"));
}

}  // namespace
}  // namespace crm::api
