-- The one report the cubes leave to the per-owner daily rows, a filter on both an industry and
-- a province by a caller who sees some owners only (a rep, a manager: schema/009 keeps that
-- combination for everyone only), read each owner's rows of the whole period through
-- by_owner (owner, day) and kept the few of that industry and province. With these keys it
-- reads only those: per owner, at most one row per day, currency (and size band), however many
-- deals and customers the owner has.
ALTER TABLE won_daily ADD KEY by_owner_pair (owner, industry, province, day);
ALTER TABLE customers_new_daily ADD KEY by_owner_pair (owner, industry, province, day);
