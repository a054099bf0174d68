-- The index table as a service's migration creates it (search::IndexTable::CreateTableSql()
-- for "doc_search"; search_test.cc checks that the two agree).
CREATE TABLE doc_search (
  term VARBINARY(128) NOT NULL,
  doc_id BIGINT NOT NULL,
  weight INT NOT NULL,
  PRIMARY KEY (term, doc_id),
  KEY by_doc (doc_id, term)
) ENGINE=InnoDB;
