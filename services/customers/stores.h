// Every store of the customers service, made from the pool and the clock: what main.cc and the
// tests hand to the three gRPC services.
#pragma once

#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "services/customers/contact_store.h"
#include "services/customers/duplicates.h"
#include "services/customers/history_store.h"
#include "services/customers/import_store.h"
#include "services/customers/merge_store.h"
#include "services/customers/search_store.h"
#include "services/customers/store.h"
#include "services/customers/upcoming_store.h"

namespace crm::customers {

struct Stores {
  Stores(db::Pool& pool, const Clock& clock)
      : customers(pool, clock),
        contacts(pool, clock),
        search(pool),
        duplicates(pool),
        merges(pool, clock),
        history(pool),
        dates(pool),
        imports(pool, clock) {}

  CustomerStore customers;
  ContactStore contacts;
  CustomerSearchStore search;
  DuplicateStore duplicates;
  MergeStore merges;
  HistoryStore history;
  UpcomingDatesStore dates;
  ImportStore imports;
};

// What the service's handlers take from the command line.
struct ServiceOptions {
  std::string default_phone_region = "CN";  // for national-format numbers without a country
  std::string default_time_zone = "Asia/Shanghai";  // what "today" is for ListUpcomingDates
};

}  // namespace crm::customers
