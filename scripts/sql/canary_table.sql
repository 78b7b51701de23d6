-- The canary table and cdcwatch's only write privilege. Run as the schema's owner after
-- cdcwatch_role.sql. cdcwatch upserts one row per agent (agent_id), so the table never grows.
-- Change public.cdcwatch_canary if you configure another canaries[].table.
CREATE TABLE IF NOT EXISTS public.cdcwatch_canary (
  agent_id   text PRIMARY KEY,
  seq        bigint NOT NULL,
  written_at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON public.cdcwatch_canary TO cdcwatch;
-- Debezium captures only published, included tables: add the canary to the connector's
-- publication (its publication.name; dbz_publication by default) and to table.include.list, e.g.
--   ALTER PUBLICATION dbz_publication ADD TABLE public.cdcwatch_canary;
