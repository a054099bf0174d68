-- The default pipeline 001 seeds was never told on the feed (a migration cannot write the
-- outbox, which the platform migrations add after the service's own), so the services that
-- follow it (analytics' funnel) knew its stages only from the deals, by resource name. A
-- pipeline not yet announced gets its PipelineCreated when the service starts
-- (PipelineStore::AnnounceSeeded); those made through CreatePipeline were announced then.
ALTER TABLE pipelines ADD COLUMN announced BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE pipelines SET announced = FALSE WHERE creator = 'services/opportunities';
