-- Record rules now follow the owner's current team, which the customers service asks the
-- auth service for (libs/auth TeamMembers), so the copy of the team taken at assignment
-- (002) would only go stale when a rep changes teams. It is dropped.
ALTER TABLE customers
  DROP KEY customers_by_owner_team,
  DROP COLUMN owner_team;
