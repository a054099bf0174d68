-- The knowledge base: articles (the working copy editors change), every published revision
-- (never changed once written), their tags and products for filters, and one vote per user.
-- Times are UTC. Text is utf8mb4; comparisons are case-insensitive (unicode_ci).

CREATE TABLE articles (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- Behind the etag: edits, publishing and archiving bump it; views and votes do not, so a
  -- busy article does not turn its editors' etags stale.
  version BIGINT NOT NULL DEFAULT 1,
  kind TINYINT NOT NULL,
  -- ArticleState: 1 DRAFT, 2 PUBLISHED, 3 ARCHIVED.
  state TINYINT NOT NULL,
  -- The working copy. Lists are newline-joined copies of the revision-0 rows of
  -- article_tags and article_products (validation keeps newlines out of the items).
  title VARCHAR(200) NOT NULL,
  -- MEDIUMTEXT: 20000 characters of utf8mb4 may exceed TEXT's 65535 bytes.
  body MEDIUMTEXT NOT NULL,
  tags TEXT NOT NULL,
  products TEXT NOT NULL,
  -- SHA-256 of the working copy's content, and of the latest revision's ('' before the first
  -- publish): they differ exactly when there is something to publish.
  content_hash CHAR(64) NOT NULL,
  published_hash CHAR(64) NOT NULL DEFAULT '',
  author VARCHAR(64) NOT NULL,
  -- The latest published revision (0: never published).
  revision INT NOT NULL DEFAULT 0,
  view_count BIGINT NOT NULL DEFAULT 0,
  helpful_count BIGINT NOT NULL DEFAULT 0,
  not_helpful_count BIGINT NOT NULL DEFAULT 0,
  create_time DATETIME(6) NOT NULL,
  -- Any change editors see; public_update_time only what readers see (create, publish,
  -- archive), so a reader's update_time and ordering say nothing about unpublished edits.
  update_time DATETIME(6) NOT NULL,
  public_update_time DATETIME(6) NOT NULL,
  -- Of the latest revision; NULL before the first publish.
  publish_time DATETIME(6) NULL,
  KEY articles_by_state (state, id),
  KEY articles_by_author (author, id),
  KEY articles_by_create_time (create_time, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every published revision, numbered from 1, as it was published.
CREATE TABLE article_revisions (
  article_id BIGINT NOT NULL,
  revision INT NOT NULL,
  title VARCHAR(200) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  tags TEXT NOT NULL,
  products TEXT NOT NULL,
  publisher VARCHAR(64) NOT NULL,
  publish_time DATETIME(6) NOT NULL,
  PRIMARY KEY (article_id, revision)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Child tables make `tags:"pricing"` and `products:"products/7"` index lookups. Revision 0
-- holds the working copy's items, revision n those of published revision n, so a filter
-- matches what the caller sees. Keyed by position rather than value: the collation treats
-- "café" and "cafe" as equal, and two such tags are still two tags.
CREATE TABLE article_tags (
  article_id BIGINT NOT NULL,
  revision INT NOT NULL,
  position TINYINT NOT NULL,
  tag VARCHAR(32) NOT NULL,
  PRIMARY KEY (article_id, revision, position),
  KEY article_tags_by_tag (tag, article_id, revision)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE article_products (
  article_id BIGINT NOT NULL,
  revision INT NOT NULL,
  position TINYINT NOT NULL,
  -- "products/{id}", as filters name it.
  product VARCHAR(32) NOT NULL,
  PRIMARY KEY (article_id, revision, position),
  KEY article_products_by_product (product, article_id, revision)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- "Was this helpful?": one row per user and article; a second vote replaces the first.
CREATE TABLE article_votes (
  article_id BIGINT NOT NULL,
  voter VARCHAR(64) NOT NULL,
  helpful TINYINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (article_id, voter)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
