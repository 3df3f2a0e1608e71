-- The outcome of each cluster's latest pass, whichever instance ran it (DESIGN.md 3.11): every
-- instance's /health, /status and backoff read it here, so several instances tell one story and a
-- failing cluster rests as long with N instances as with one. pvesync's own table: nothing of the
-- AccountDB changes. One row per cluster, rewritten by the pass that ends (passes of a cluster
-- never overlap: the pass lock), so the table stays as small as the cluster list.

CREATE TABLE IF NOT EXISTS pvesync.cluster_state
(
    cluster    VARCHAR(100) PRIMARY KEY,
    state      JSONB        NOT NULL,
    updated_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

COMMENT ON TABLE pvesync.cluster_state IS
    'pvesync: each cluster''s latest pass, failures in a row, backoff and last error, as /health and /status show them';
