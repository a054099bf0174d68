-- The search index of customers (libs/search): one document per customer, holding its name,
-- phones, e-mails, tags, external id and notes and its live contacts' names, phones and
-- e-mails, written in the same transaction as the customer or contact.
CREATE TABLE customer_search (
  term VARBINARY(128) NOT NULL,
  doc_id BIGINT NOT NULL,
  weight INT NOT NULL,
  PRIMARY KEY (term, doc_id),
  KEY by_doc (doc_id, term)
) ENGINE=InnoDB;
