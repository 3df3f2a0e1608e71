package io.pvesync.sim;

import io.pvesync.sim.SimCluster.Freshness;
import io.pvesync.sim.SimVm.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes one request the way pveproxy and the API handlers do: a pending injected failure first,
 * then authentication (before the path is even looked up), then the handler's permission check,
 * then the proxying to the guest's node (595 for an offline node), then the handler itself. The
 * handler's answer waits for the time {@link Latency} gives it; errors before the handler do not.
 */
final class Api {

    private static final List<String> AGENT_PRIVILEGES_9 = List.of("VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted");
    private static final List<String> AGENT_PRIVILEGES_8 = List.of("VM.Monitor");
    private static final Set<String> RESOURCE_TYPES = Set.of("vm", "storage", "node", "sdn");

    private final SimCluster cluster;
    private final Auth auth;
    private final Faults faults;
    private final PveVersion version;
    private final ResourcesWriter resources;
    private final ClusterWriter clusterAnswers;
    private final GuestWriter guests;
    private final Latency latency;
    private final LongAdder total = new LongAdder();
    private final Map<String, AtomicLong> byPath = new ConcurrentHashMap<>();

    Api(SimCluster cluster, Auth auth, Faults faults, PveVersion version, ResourcesWriter resources,
        ClusterWriter clusterAnswers, GuestWriter guests, Latency latency) {
        this.cluster = cluster;
        this.auth = auth;
        this.faults = faults;
        this.version = version;
        this.resources = resources;
        this.clusterAnswers = clusterAnswers;
        this.guests = guests;
        this.latency = latency;
    }

    int requestCount() {
        return total.intValue();
    }

    /** Requests whose path (relative to /api2/json) starts with {@code prefix}. */
    int requests(String prefix) {
        String relative = Paths.relative(prefix);
        return byPath.entrySet().stream().filter(e -> e.getKey().startsWith(relative))
                .mapToInt(e -> e.getValue().intValue()).sum();
    }

    /** @param endpoint the index of the endpoint asked, which decides {@code local} in cluster/status */
    Reply handle(HttpRequest request, int endpoint) {
        String path = Paths.relative(request.path());
        total.increment();
        long nth = byPath.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
        Faults.Failure failure = faults.takeFailure(path);
        if (failure != null) {
            return failure.status() >= 595 ? Reply.empty(failure.status(), failure.reason())
                    : Reply.error(failure.status(), failure.reason(), version);
        }
        Reply refused = auth.check(request);
        if (refused != null) {
            return refused;
        }
        if (!"GET".equals(request.method()) || path.equals(request.path())) {
            return notImplemented(request.method(), path);
        }
        String[] parts = path.substring(1).split("/", -1);
        String viewer = cluster.viewer(endpoint);
        Latency.Call timed = latency.call(viewer, path, nth);
        return switch (path) {
            case "/version" -> after(timed.local(), Reply.ok(clusterAnswers.version()));
            case "/cluster/resources" -> clusterResources(request.query().get("type"), viewer, timed);
            case "/cluster/tasks" -> after(timed.local(),
                    Reply.ok(clusterAnswers.tasks(auth.has("Sys.Audit"), auth.tokenId())));
            case "/cluster/status" -> auth.has("Sys.Audit")
                    ? after(timed.local(), Reply.ok(clusterAnswers.clusterStatus(endpoint)))
                    : forbidden("/", "Sys.Audit");
            case "/nodes" -> after(timed.local(), Reply.ok(clusterAnswers.nodes(auth.has("Sys.Audit"))));
            case "/access/permissions" -> after(timed.local(), permissions(request.query().get("path")));
            default -> parts.length >= 5 && parts[0].equals("nodes")
                    ? guestCall(request.method(), path, parts, viewer, timed)
                    : parts.length == 3 && parts[0].equals("nodes") && parts[2].equals("qemu")
                    ? qemuList(parts[1], viewer, timed)
                    : notImplemented(request.method(), path);
        };
    }

    /** The answer once its handler's time has passed (on top of any delay it has already). */
    private static Reply after(Duration time, Reply reply) {
        return time.isZero() ? reply : reply.delayed(reply.delay().plus(time));
    }

    private Reply clusterResources(String type, String viewer, Latency.Call timed) {
        if (type != null && !RESOURCE_TYPES.contains(type)) {
            return Reply.error(400, "Parameter verification failed.", Map.of("type",
                    "value '" + type + "' does not have a value in the enumeration 'vm, storage, node, sdn'"), version);
        }
        Reply reply = after(timed.resources(resourceRows(type)), Reply.ok(resources.resources(type, viewer)));
        return faults.malformedJson() ? reply.truncated() : reply;
    }

    /** The rows the handler builds: guests, nodes, and each node's storages (doc 3.2's N; sdn zones left out). */
    private int resourceRows(String type) {
        int nodes = cluster.nodes().size();
        int guests = cluster.size();
        int storages = ResourcesWriter.STORAGES_PER_NODE * nodes;
        return type == null ? guests + nodes + storages
                : type.equals("vm") ? guests : type.equals("node") ? nodes : type.equals("storage") ? storages : 0;
    }

    private Reply permissions(String path) {
        String asked = path == null || path.isEmpty() ? "/" : path;
        Set<String> privileges = auth.privileges();
        if (asked.startsWith("/vms/")) {
            try {
                if (!cluster.audited(Integer.parseInt(asked.substring(5)))) {
                    privileges = Set.of();
                }
            } catch (NumberFormatException e) {
                // not a guest path: the token's privileges on / propagate to it
            }
        }
        return Reply.ok(clusterAnswers.permissions(asked, privileges));
    }

    /**
     * {@code /nodes/{node}/qemu}: the node's QEMU guests the token may audit (PROXMOX-API.md §3.2),
     * proxied to the node like every per-node call. pvesync never asks it; the benchmark's
     * baseline does, as the per-node pollers it is compared with do.
     */
    private Reply qemuList(String node, String viewer, Latency.Call timed) {
        if (cluster.node(node) == null) {
            return Reply.error(500, "hostname lookup '" + node + "' failed - failed to get address info for: "
                    + node + ": Name or service not known", version);
        }
        if (cluster.freshness(viewer, node) != Freshness.ONLINE) {
            return Reply.empty(595, "No route to host");
        }
        Instant now = cluster.now();
        List<Guest> listed = cluster.guests().stream()
                .filter(g -> g.isQemu() && g.node().equals(node) && cluster.audited(g.vmid()))
                .map(g -> g.shown(now))
                .toList();
        return fromNode(node, after(timed.nodeList(node, listed.size()), Reply.ok(guests.qemuList(listed, now))));
    }

    /** {@code /nodes/{node}/{qemu|lxc}/{vmid}/...}. */
    private Reply guestCall(String method, String path, String[] parts, String viewer, Latency.Call timed) {
        String node = parts[1];
        Kind kind = parts[2].equals("qemu") ? Kind.QEMU : parts[2].equals("lxc") ? Kind.LXC : null;
        String call = String.join("/", List.of(parts).subList(4, parts.length));
        boolean known = kind == Kind.QEMU
                ? call.equals("config") || call.equals("status/current") || call.equals("agent/network-get-interfaces")
                : kind == Kind.LXC && (call.equals("config") || (call.equals("interfaces") && version.hasLxcInterfaces()));
        if (!known) {
            return notImplemented(method, path);
        }
        int vmid;
        try {
            vmid = Integer.parseInt(parts[3]);
        } catch (NumberFormatException e) {
            return Reply.error(400, "Parameter verification failed.",
                    Map.of("vmid", "type check ('integer') failed - got '" + parts[3] + "'"), version);
        }
        // permissions are checked on the node asked, before proxying
        boolean agentCall = call.startsWith("agent/");
        List<String> needed = !agentCall ? List.of("VM.Audit")
                : version.hasGuestAgentPrivileges() ? AGENT_PRIVILEGES_9 : AGENT_PRIVILEGES_8;
        if (!cluster.audited(vmid) || !auth.hasAny(needed)) {
            return forbidden("/vms/" + vmid, String.join("|", needed));
        }
        if (cluster.node(node) == null) {
            return Reply.error(500, "hostname lookup '" + node + "' failed - failed to get address info for: "
                    + node + ": Name or service not known", version);
        }
        if (cluster.freshness(viewer, node) != Freshness.ONLINE) {
            // AnyEvent::HTTP's connect error, relayed with its errno text and no body (§5.1)
            return Reply.empty(595, "No route to host");
        }
        Guest stored = cluster.guest(vmid);
        if (stored == null || stored.kind() != kind || !stored.node().equals(node)) {
            String dir = kind == Kind.QEMU ? "qemu-server" : "lxc";
            return Reply.error(500, "Configuration file 'nodes/" + node + "/" + dir + "/" + vmid + ".conf' does not exist",
                    version);
        }
        Guest guest = stored.shown(cluster.now()); // a clone or restore may have written only part of it
        boolean running = "running".equals(guest.status());
        Reply reply = switch (call) {
            case "config" -> after(timed.config(node),
                    Reply.ok(kind == Kind.QEMU ? guests.qemuConfig(guest) : guests.lxcConfig(guest)));
            case "status/current" -> after(timed.status(node, guest.processRunning()),
                    Reply.ok(guests.qemuStatus(guest, cluster.now())));
            case "interfaces" -> after(timed.lxcInterfaces(node, running),
                    running ? Reply.ok(guests.lxcInterfaces(guest)) : Reply.okNull());
            default -> after(timed.agent(node, agentCall(guest)), agent(guest));
        };
        return fromNode(node, reply);
    }

    /** pveproxy relays the node's answer when the node gives it: a slow node's answer comes late. */
    private Reply fromNode(String node, Reply reply) {
        Duration slow = faults.slowNode(node);
        return slow.isZero() ? reply : reply.delayed(reply.delay().plus(slow));
    }

    /** How long the agent keeps a pvedaemon worker: only a silent agent with its socket costs the ping's timeout. */
    private static Latency.AgentCall agentCall(Guest guest) {
        if (guest.agentAnswers()) {
            return Latency.AgentCall.ANSWERS;
        }
        // agent: 0 means no QGA socket, which fails at once; an enabled agent that is silent costs the 3 s ping
        boolean pinged = guest.processRunning() && guest.agent() == AgentState.NOT_RUNNING;
        return pinged ? Latency.AgentCall.SILENT : Latency.AgentCall.REFUSED;
    }

    /** The checks of {@code assert_agent_available}, in its order, then the agent's answer. */
    private Reply agent(Guest guest) {
        if (guest.agent() == AgentState.OFF) {
            return Reply.error(500, "No QEMU guest agent configured", version);
        }
        if (!guest.processRunning()) {
            return Reply.error(500, "VM " + guest.vmid() + " is not running", version);
        }
        if (!guest.agentAnswers()) {
            return Reply.error(500, "QEMU guest agent is not running", version);
        }
        return Reply.ok(guest.agent() == AgentState.QGA_ERROR ? guests.qgaError(faults.agentError(guest.vmid())) : guests.agentInterfaces(guest));
    }

    private Reply forbidden(String aclPath, String privileges) {
        return Reply.error(403, "Permission check failed (" + aclPath + ", " + privileges + ")", version);
    }

    private Reply notImplemented(String method, String path) {
        return Reply.error(501, "Method '" + method + " " + path + "' not implemented", version);
    }
}
