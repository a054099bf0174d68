-- The product catalog: a category tree, products, and every price a product ever had.
-- Times are UTC. Text is utf8mb4; comparisons are case-insensitive (unicode_ci), so SKUs and
-- sibling category names are unique regardless of case.

CREATE TABLE categories (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  display_name VARCHAR(64) NOT NULL,
  -- 0 for a top-level category (not NULL, so the sibling-name key below covers them too).
  parent_id BIGINT NOT NULL DEFAULT 0,
  -- Display names from the top down, " / "-joined; kept current when an ancestor changes.
  path VARCHAR(800) NOT NULL,
  -- 1 for a top-level category.
  depth TINYINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY categories_by_parent_and_name (parent_id, display_name),
  KEY categories_by_path (path(255), id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every category with each of its ancestors and itself ("categories/{id}"), so "in this
-- category or below" is one indexed lookup.
CREATE TABLE category_ancestors (
  category_id BIGINT NOT NULL,
  ancestor VARCHAR(32) NOT NULL,
  PRIMARY KEY (category_id, ancestor),
  KEY category_ancestors_by_ancestor (ancestor, category_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE products (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  sku VARCHAR(64) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  category_id BIGINT NOT NULL,
  unit VARCHAR(16) NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  -- Newline-joined lists (validation keeps newlines out of the items).
  features TEXT NOT NULL,
  advantages TEXT NOT NULL,
  use_cases TEXT NOT NULL,
  -- NULL when unset, so that many products may have none.
  external_id VARCHAR(64) NULL,
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY products_by_sku (sku),
  UNIQUE KEY products_by_external_id (external_id),
  KEY products_by_category (category_id, id),
  KEY products_by_display_name (display_name, id),
  KEY products_by_create_time (create_time, id),
  KEY products_by_update_time (update_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The price history: a price holds from its effective_time until a later one of the same
-- product and currency; entries are never changed or deleted (a correction is a new entry;
-- for equal effective times the later entry wins).
CREATE TABLE product_prices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  effective_time DATETIME(6) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  KEY product_prices_by_time (product_id, currency, effective_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
