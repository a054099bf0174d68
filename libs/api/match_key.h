// The key two company names are compared by when looking for duplicates (customers now, leads
// later), so that the same company typed differently is found:
//
//   CompanyMatchKey("苏州精工机械有限公司")        → "苏州精工机械"
//   CompanyMatchKey("苏州 精工机械（有限公司）")    → "苏州精工机械"
//   CompanyMatchKey("ACME Trading Co., Ltd.")     → "acmetrading"
//   CompanyMatchKey("Ａｃｍｅ  Trading Company")   → "acmetrading"
//
// Steps: NFKC with Unicode case folding (full-width letters and digits become ASCII, upper
// case lower: ICU's NFKC_Casefold), then legal-form suffixes are removed from the end, as
// often as they repeat ("… 集团股份有限公司" loses 股份有限公司 only; "Co., Ltd." loses both
// words), then every character that is not a letter, mark or digit (spaces, punctuation,
// brackets) is dropped. Suffixes:
//   Chinese (anywhere at the end): 股份有限公司, 有限责任公司, 有限公司, 公司
//   Latin (whole last words): co, company, corp, corporation, inc, incorporated, ltd,
//   limited, llc, plc, gmbh, ag, sa (also written s.a.), bv, nv, pte, pty, kk
// A name that would lose everything keeps its last suffix ("Company" → "company"). Pure; safe
// from any thread.
#pragma once

#include <string>
#include <string_view>

namespace crm::api {

std::string CompanyMatchKey(std::string_view display_name);

}  // namespace crm::api
