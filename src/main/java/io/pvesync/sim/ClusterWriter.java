package io.pvesync.sim;

import io.pvesync.sim.SimCluster.Freshness;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The cluster-wide answers besides {@code /cluster/resources}: version, cluster status, nodes, permissions. */
final class ClusterWriter {

    private final SimCluster cluster;
    private final ResourcesWriter resources;
    private final String clusterName;
    private final PveVersion version;
    private final String fingerprint;

    ClusterWriter(SimCluster cluster, ResourcesWriter resources, String clusterName, PveVersion version,
                  String fingerprint) {
        this.cluster = cluster;
        this.resources = resources;
        this.clusterName = clusterName;
        this.version = version;
        this.fingerprint = fingerprint;
    }

    Reply.Body version() {
        return json -> {
            json.writeStartObject();
            json.writeStringField("release", version.release());
            json.writeStringField("repoid", String.format("%016x", (long) version.text().hashCode() * 0x9E3779B97F4A7C15L)
                    .substring(0, 16));
            json.writeStringField("version", version.text());
            json.writeEndObject();
        };
    }

    /** The cluster entry, then one entry per node; {@code local} marks the node of the endpoint asked. */
    Reply.Body clusterStatus(int endpoint) {
        return json -> {
            String viewer = cluster.viewer(endpoint);
            Map<String, Freshness> freshness = cluster.view(viewer);
            json.writeStartArray();
            json.writeStartObject();
            json.writeStringField("type", "cluster");
            json.writeStringField("id", "cluster");
            json.writeStringField("name", clusterName);
            json.writeNumberField("nodes", cluster.nodes().size());
            json.writeNumberField("quorate", cluster.quorate(viewer) ? 1 : 0);
            json.writeNumberField("version", cluster.nodes().size() + 1);
            json.writeEndObject();
            for (SimNode node : cluster.nodes()) {
                json.writeStartObject();
                json.writeStringField("type", "node");
                json.writeStringField("id", "node/" + node.name());
                json.writeStringField("name", node.name());
                json.writeNumberField("nodeid", node.nodeid());
                json.writeStringField("ip", node.ip());
                json.writeNumberField("local", endpoint % cluster.nodes().size() == node.nodeid() - 1 ? 1 : 0);
                json.writeNumberField("online", freshness.get(node.name()) == Freshness.ONLINE ? 1 : 0);
                json.writeStringField("level", "");
                json.writeEndObject();
            }
            json.writeEndArray();
        };
    }

    /** {@code GET /nodes}: node entries plus each node's certificate fingerprint (one leaf for all here). */
    Reply.Body nodes(boolean sysAudit) {
        return json -> {
            Map<String, Freshness> freshness = cluster.freshness();
            Instant now = cluster.now();
            json.writeStartArray();
            for (SimNode node : cluster.nodes()) {
                resources.node(json, node, freshness.get(node.name()), sysAudit, now, fingerprint);
            }
            json.writeEndArray();
        };
    }

    /**
     * {@code GET /cluster/tasks} as pve-manager {@code API2/Cluster.pm} {@code tasks} answers it:
     * every node's list as pmxcfs holds it ({@code PVE::Cluster::get_tasklist}, node after node; an
     * offline node's last broadcast included), each entry kept when the caller has
     * {@code Sys.Audit} on {@code /}, or else when its {@code user}, after a token's
     * {@code user@realm!name} was split into {@code user} and {@code tokenid}, equals the caller.
     * A token's caller is its whole token id ({@code PVE::AccessControl::verify_token}), so a token
     * without Sys.Audit sees no task at all, not even its own.
     *
     * @param all    the caller has Sys.Audit on /
     * @param caller the authenticated user id
     */
    Reply.Body tasks(boolean all, String caller) {
        return json -> {
            json.writeStartArray();
            for (SimNode node : cluster.nodes()) {
                for (Task task : cluster.tasks().broadcast(node.name())) {
                    int bang = task.user().indexOf('!');
                    String user = bang > 0 ? task.user().substring(0, bang) : task.user();
                    if (all || user.equals(caller)) {
                        task.write(json, true);
                    }
                }
            }
            json.writeEndArray();
        };
    }

    /** {@code GET /access/permissions}: the token's privileges on the path asked (or on /), 1 = propagated. */
    Reply.Body permissions(String path, Set<String> privileges) {
        return json -> {
            json.writeStartObject();
            json.writeObjectFieldStart(path == null || path.isEmpty() ? "/" : path);
            for (String privilege : new TreeSet<>(privileges)) {
                json.writeNumberField(privilege, 1);
            }
            json.writeEndObject();
            json.writeEndObject();
        };
    }
}
