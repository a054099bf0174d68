-- A lead or an opportunity counts under its current code only (libs/campaigns/attribution.h):
-- each of its events takes back what it counted under any other code, found by this key.
-- Rows left under an old code by a change before this migration go at the record's next event;
-- deleted records and converted leads have none: rewinding the opportunities feed recounts all.
ALTER TABLE campaign_attributions ADD KEY by_resource (resource, kind);
