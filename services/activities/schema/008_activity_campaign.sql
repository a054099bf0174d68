-- An activity's campaign or visit plan (Activity.campaign): 0 for none, like the other links.
-- A campaign's effectiveness counts its linked activities when asked (visits per kind, the
-- distinct customers visited), so the index leads with the campaign and covers what is
-- counted; delete_time is in it so that deleted activities are left out from the index alone.
ALTER TABLE activities
  ADD COLUMN campaign_id BIGINT NOT NULL DEFAULT 0,
  ADD KEY activities_by_campaign (campaign_id, delete_time, kind, customer_id);
