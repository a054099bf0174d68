-- Search indexes (libs/search): one table per searchable resource, written in the same
-- transaction as the record. Products are indexed from creation; articles while a revision of
-- theirs is published (archiving removes them).
CREATE TABLE product_search (
  term VARBINARY(128) NOT NULL,
  doc_id BIGINT NOT NULL,
  weight INT NOT NULL,
  PRIMARY KEY (term, doc_id),
  KEY by_doc (doc_id, term)
) ENGINE=InnoDB;

CREATE TABLE article_search (
  term VARBINARY(128) NOT NULL,
  doc_id BIGINT NOT NULL,
  weight INT NOT NULL,
  PRIMARY KEY (term, doc_id),
  KEY by_doc (doc_id, term)
) ENGINE=InnoDB;
