-- The nodes each configured cluster's last listing named (DESIGN.md 3.10). An application row
-- names a node, not a cluster; it is adopted only when its node belongs to exactly one configured
-- cluster, and two clusters may both have a "pve1". Every instance and `pvesync sync --cluster`
-- read the other clusters' nodes here. pvesync's own table: nothing of the AccountDB changes.

CREATE TABLE IF NOT EXISTS pvesync.cluster_nodes
(
    cluster  VARCHAR(100) NOT NULL,
    node     VARCHAR(100) NOT NULL,
    PRIMARY KEY (cluster, node)
);

COMMENT ON TABLE pvesync.cluster_nodes IS
    'pvesync: the nodes of each cluster as its last listing showed them; written only when they change';
