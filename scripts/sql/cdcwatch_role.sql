-- Least-privilege role for cdcwatch on a source database. Run as a superuser (or the RDS master
-- user), then set a password: ALTER ROLE cdcwatch PASSWORD '...';
-- pg_monitor covers everything the slot probe reads (pg_replication_slots, pg_current_wal_lsn,
-- pg_last_wal_receive_lsn, pg_stat_statements). The canary's only write privilege is granted in
-- canary_table.sql, on the canary table alone.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cdcwatch') THEN
    CREATE ROLE cdcwatch LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
END
$$;
GRANT pg_monitor TO cdcwatch;
ALTER ROLE cdcwatch SET default_transaction_read_only = on;
ALTER ROLE cdcwatch SET statement_timeout = '5s';
