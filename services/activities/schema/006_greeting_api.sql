-- The rep's greetings API (GreetingService): why a greeting was skipped, and the index its
-- list pages by (send date, then id; the record rule is on the customer's owner, joined).
ALTER TABLE greetings
  ADD COLUMN skip_reason VARCHAR(500) NOT NULL DEFAULT '',
  ADD KEY greetings_by_date (send_date, id);
