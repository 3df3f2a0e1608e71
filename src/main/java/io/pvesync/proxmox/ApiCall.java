package io.pvesync.proxmox;

import java.util.Objects;

/**
 * One GET against the Proxmox VE API.
 *
 * @param name  a short, stable name of the kind of call, used in errors and metrics
 *              (e.g. {@code cluster/resources}, {@code qemu/config})
 * @param path  the path below {@code /api2/json}, starting with '/'
 * @param scope {@link Scope#CLUSTER} calls are answered by the endpoint itself, so a 5xx means
 *              that endpoint is sick and the next one is tried; {@link Scope#GUEST} calls are
 *              proxied to the guest's node, so a 5xx is that node's or guest's answer (agent not
 *              running, 595 node unreachable) and another endpoint would say the same
 */
public record ApiCall(String name, String path, Scope scope) {

    public enum Scope { CLUSTER, GUEST }

    public ApiCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(scope, "scope");
    }

    /** Every VM, container, node and storage in one request, served from pmxcfs. */
    public static ApiCall clusterResources() {
        return new ApiCall("cluster/resources", "/cluster/resources", Scope.CLUSTER);
    }

    /**
     * The recent tasks of every node (each node's list newest first, cut at 32 KB): which VMIDs
     * were destroyed, created or restored since the last poll (DESIGN.md 3.1).
     */
    public static ApiCall clusterTasks() {
        return new ApiCall("cluster/tasks", "/cluster/tasks", Scope.CLUSTER);
    }

    /**
     * The cluster as the answering node's corosync sees it: one {@code type: cluster} entry with
     * {@code quorate}, one entry per node with {@code online} (needs Sys.Audit on /).
     */
    public static ApiCall clusterStatus() {
        return new ApiCall("cluster/status", "/cluster/status", Scope.CLUSTER);
    }

    public static ApiCall version() {
        return new ApiCall("version", "/version", Scope.CLUSTER);
    }

    /** The calling token's effective privileges on {@code /} (used by {@code pvesync check}). */
    public static ApiCall permissions() {
        return new ApiCall("access/permissions", "/access/permissions?path=/", Scope.CLUSTER);
    }

    public static ApiCall qemuConfig(String node, int vmid) {
        return new ApiCall("qemu/config", "/nodes/" + node + "/qemu/" + vmid + "/config", Scope.GUEST);
    }

    public static ApiCall qemuAgentInterfaces(String node, int vmid) {
        return new ApiCall("qemu/agent/network-get-interfaces",
                "/nodes/" + node + "/qemu/" + vmid + "/agent/network-get-interfaces", Scope.GUEST);
    }

    public static ApiCall lxcConfig(String node, int vmid) {
        return new ApiCall("lxc/config", "/nodes/" + node + "/lxc/" + vmid + "/config", Scope.GUEST);
    }

    public static ApiCall lxcInterfaces(String node, int vmid) {
        return new ApiCall("lxc/interfaces", "/nodes/" + node + "/lxc/" + vmid + "/interfaces", Scope.GUEST);
    }

    @Override
    public String toString() {
        return "GET " + path;
    }
}
