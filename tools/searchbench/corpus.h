// The benchmark's documents: customer-like records mixing Chinese company names, contacts,
// phone numbers, e-mail addresses, tags and notes in Chinese and English, made from a fixed
// seed so every run (and every engine) sees exactly the same text.
#pragma once

#include <cstdint>
#include <string>

namespace crm::searchbench {

struct Document {
  int64_t id = 0;
  std::string title;  // a company or product name (weight 10)
  std::string body;   // contact, phone, e-mail, tags, note (weight 1)
};

// The documents the examples must find, at fixed ids in every corpus.
inline constexpr int64_t kHangzhouCompanyId = 1;  // 杭州某某科技有限公司, +8657188886666
inline constexpr int64_t kSuzhouJinggongId = 2;   // 苏州精工机械有限公司

// Document `id` (1-based); the same text for the same id in every run.
Document MakeDocument(int64_t id);

}  // namespace crm::searchbench
