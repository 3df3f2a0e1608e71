-- The least privileges the pvesync daemon's role needs, run by the tables' owner after
-- `pvesync migrate`. Usage:  psql -d accountdb -v daemon=pvesync -f config/grants.sql
-- (:DBNAME is psql's own variable: the database it is connected to)
-- The role itself: CREATE ROLE pvesync LOGIN PASSWORD '...';  (not superuser, not BYPASSRLS,
-- not the owner of public.vms, so row-level security really applies to it)
GRANT CONNECT ON DATABASE :"DBNAME" TO :"daemon";
GRANT USAGE ON SCHEMA public, pvesync TO :"daemon";
GRANT SELECT, INSERT, UPDATE ON public.vms TO :"daemon";
GRANT USAGE ON SEQUENCE public.vms_id_seq TO :"daemon";
-- the change history (README "Change history"): written with each change, pruned after
-- history.retention, read by `pvesync history`; its id is an identity column (no sequence grant)
GRANT SELECT, INSERT, DELETE ON public.vm_changes TO :"daemon";
GRANT SELECT ON pvesync.flyway_schema_history TO :"daemon";
-- the nodes of every cluster, which decide whether an application row can be adopted
GRANT SELECT, INSERT, DELETE ON pvesync.cluster_nodes TO :"daemon";
-- each cluster's latest pass, which every instance's /health, /status and backoff read
GRANT SELECT, INSERT, UPDATE ON pvesync.cluster_state TO :"daemon";
-- Quartz's job store, used with schedule.clustered: true (the migrations create it either way)
GRANT SELECT, INSERT, UPDATE, DELETE ON pvesync.qrtz_job_details, pvesync.qrtz_triggers,
    pvesync.qrtz_simple_triggers, pvesync.qrtz_cron_triggers, pvesync.qrtz_simprop_triggers,
    pvesync.qrtz_blob_triggers, pvesync.qrtz_calendars, pvesync.qrtz_paused_trigger_grps,
    pvesync.qrtz_fired_triggers, pvesync.qrtz_scheduler_state, pvesync.qrtz_locks TO :"daemon";
