-- Record-level access: the team of a customer's owner, copied from the auth service when
-- the owner is assigned, so "owner's team in the caller's managed teams" is one indexed
-- condition instead of a call to the auth service per row. '' when the owner has no team
-- (and for customers created before ownership was enforced).
ALTER TABLE customers
  ADD COLUMN owner_team VARCHAR(64) NOT NULL DEFAULT '' AFTER owner,
  ADD KEY customers_by_owner_team (owner_team, id);
