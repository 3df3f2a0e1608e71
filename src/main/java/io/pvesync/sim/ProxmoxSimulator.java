package io.pvesync.sim;

import io.pvesync.sim.SimVm.Kind;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Proxmox VE API server for tests, the demo and benchmarks: real HTTP(S) on 127.0.0.1, one
 * simulated cluster served by one or more endpoints, with the wire shapes and quirks of
 * {@code PROXMOX-API.md} (reason phrases as error text, 401 delays, 595 for an offline node's
 * guests, stale-then-unknown entries, numbers as strings, QGA errors as HTTP 200).
 *
 * <p>Served, all GET under {@code /api2/json}: {@code /version}, {@code /cluster/resources[?type=]},
 * {@code /cluster/status}, {@code /cluster/tasks}, {@code /nodes}, {@code /access/permissions[?path=]},
 * {@code /nodes/{n}/qemu/{id}/config}, {@code .../status/current},
 * {@code .../agent/network-get-interfaces}, {@code /nodes/{n}/lxc/{id}/config},
 * {@code .../interfaces}. Anything else is 501, as Proxmox answers an unknown method.
 *
 * <p>Changes and faults may be applied from any thread while requests are served; each change is
 * atomic (a request sees a guest before or after it, never half). A change method throws
 * {@link IllegalArgumentException} for an unknown vmid or node.
 */
public final class ProxmoxSimulator implements AutoCloseable {
    /** The task types after which a VMID may name another guest (DESIGN.md 3.1). */
    private static final Set<String> LIFECYCLE_TASKS = Set.of("qmcreate", "qmdestroy", "qmrestore", "vzcreate",
            "vzdestroy", "vzrestore");


    private static final Logger log = LoggerFactory.getLogger(ProxmoxSimulator.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SimCluster cluster;
    private final Auth auth;
    private final Faults faults = new Faults();
    private final Api api;
    private final PveVersion version;
    private final RandomChanges changes;
    private final Certificates certificates;
    private final ThreadPoolExecutor workers;
    private final List<Listener> listeners = new ArrayList<>();

    ProxmoxSimulator(SimCluster cluster, Auth auth, PveVersion version, String clusterName, boolean tls, int[] ports,
                     int workerCount, RandomChanges changes, Instant booted, Timing timing, long seed) {
        this.cluster = cluster;
        this.auth = auth;
        this.version = version;
        this.changes = changes;
        this.certificates = Certificates.generate(cluster.nodes().stream().map(SimNode::name).toList());
        ResourcesWriter resources = new ResourcesWriter(cluster, auth, faults, version, booted);
        this.api = new Api(cluster, auth, faults, version, resources,
                new ClusterWriter(cluster, resources, clusterName, version, certificates.fingerprint()),
                new GuestWriter(version),
                new Latency(timing, seed, cluster.nodes().stream().map(SimNode::name).toList()));
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        // one thread per open connection, as blocking I/O needs; bounded like pveproxy's max_conn
        this.workers = new ThreadPoolExecutor(0, workerCount, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "pvesim" + instance + "-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        SSLContext context = tls ? certificates.serverContext() : null;
        try {
            for (int i = 0; i < ports.length; i++) {
                Listener listener = new Listener(i, ports[i], context, workers, api, faults);
                listeners.add(listener);
                listener.open();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("sim - started: {} nodes, {} guests, PVE {}, on {}", cluster.nodes().size(), cluster.size(), version,
                endpoints());
    }

    /** A builder with defaults for everything. */
    public static SimulatorBuilder builder() {
        return new SimulatorBuilder();
    }

    // ---- what to connect to ----

    /** The base URLs, such as {@code https://127.0.0.1:40123}, in endpoint order. */
    public List<URI> endpoints() {
        return listeners.stream().map(Listener::uri).toList();
    }

    /** The cluster CA in PEM, what {@code /etc/pve/pve-root-ca.pem} would hold: for {@code tls.ca-file}. */
    public String caCertificatePem() {
        return certificates.caPem();
    }

    /** The SHA-256 of the node certificate ({@code AA:BB:...}), the same on every endpoint: for pinning. */
    public String fingerprint() {
        return certificates.fingerprint();
    }

    public String version() {
        return version.text();
    }

    // ---- what happened ----

    /** Every request received so far, on all endpoints, whatever its answer. */
    public int requestCount() {
        return api.requestCount();
    }

    /**
     * TCP connections accepted so far, on all endpoints: with requests, it shows how well a client
     * reuses its connections (pveproxy closes one after any answer of 400 or more, and after 100
     * requests).
     */
    public int connectionCount() {
        return listeners.stream().mapToInt(Listener::accepted).sum();
    }

    /** Requests whose path starts with {@code pathPrefix}, given with or without {@code /api2/json}. */
    /**
     * The destroy, create and restore tasks each VMID has in some node's list right now, as
     * {@code GET /cluster/tasks} would show them, read from memory (no request is made or counted,
     * no fault applies), by VMID. Tasks are given by their creation numbers, which count every task
     * of the simulator in order. For tests that judge what a poll could have seen (the soak).
     */
    public Map<Integer, Set<Long>> listedLifecycleTasks() {
        Map<Integer, Set<Long>> byVmid = new HashMap<>();
        for (SimNode node : cluster.nodes()) {
            for (Task task : cluster.tasks().broadcast(node.name())) {
                if (LIFECYCLE_TASKS.contains(task.type()) && task.id().matches("[0-9]+")) {
                    byVmid.computeIfAbsent(Integer.parseInt(task.id()), v -> new HashSet<>()).add(task.seq());
                }
            }
        }
        return byVmid;
    }

    /** The creation number of the newest task any node lists now (0 for none): a moment in task order. */
    public long newestListedTask() {
        long newest = 0;
        for (SimNode node : cluster.nodes()) {
            for (Task task : cluster.tasks().broadcast(node.name())) {
                newest = Math.max(newest, task.seq());
            }
        }
        return newest;
    }

    public int requests(String pathPrefix) {
        return api.requests(pathPrefix);
    }

    // ---- the truth ----

    /** Every guest, templates included, in vmid order. */
    public List<SimVm> vms() {
        return cluster.vms();
    }

    /** The guest as it is now: during a clone or restore, as its temporary config and listing show it. */
    public Optional<SimVm> vm(int vmid) {
        Instant now = cluster.now();
        return Optional.ofNullable(cluster.guest(vmid)).map(g -> g.view(now));
    }

    /** The vmids whose clone or restore has started and not finished, in order. */
    public List<Integer> inProgress() {
        return cluster.inProgress();
    }

    /** The node names, {@code pve1..pveN}. */
    public List<String> nodes() {
        return cluster.nodes().stream().map(SimNode::name).toList();
    }

    // ---- changes ----

    /** Starts the guest (status {@code running}); ends hibernation. */
    public void start(int vmid) {
        cluster.start(vmid);
    }

    /** Stops the guest (status {@code stopped}); ends hibernation, keeps other locks. */
    public void stop(int vmid) {
        cluster.stop(vmid);
    }

    /** Shuts the guest down cleanly: like {@link #stop}, with a {@code qmshutdown}/{@code vzshutdown} task. */
    public void shutdown(int vmid) {
        cluster.shutdown(vmid);
    }

    /** Pauses a running QEMU VM (status {@code paused}). */
    public void pause(int vmid) {
        cluster.pause(vmid);
    }

    /** Hibernates a QEMU VM: status {@code stopped} with {@code lock: suspended}. */
    public void hibernate(int vmid) {
        cluster.hibernate(vmid);
    }

    /** Any QEMU run-state word ({@code io-error}, {@code prelaunch}, an unknown one...); LXC: running or stopped. */
    public void setStatus(int vmid, String word) {
        cluster.setStatus(vmid, word);
    }

    /** Sets the config's {@code lock} ({@code backup}, {@code migrate}, ...), or removes it with null. */
    public void lock(int vmid, String lock) {
        cluster.lock(vmid, lock);
    }

    /**
     * Moves the guest's config to {@code node}, as the end of a migration or an HA recovery does.
     * The lock is left as it is: for the phases of PROXMOX-API.md §7, {@code lock(vmid, "migrate")},
     * then {@code migrate}, then {@code lock(vmid, null)}.
     */
    public void migrate(int vmid, String node) {
        cluster.migrate(vmid, node);
    }

    /**
     * Creates a running guest with generated details under the lowest free vmid (as
     * {@code /cluster/nextid}): new smbios1 uuid, {@code meta} ctime and MAC; tasks
     * {@code qmcreate}/{@code vzcreate} then {@code qmstart}/{@code vzstart}.
     */
    public int create(Kind kind, String node) {
        return cluster.create(kind, node);
    }

    /** Destroys the guest: a {@code qmdestroy}/{@code vzdestroy} task, after a stop task if it ran. */
    public void delete(int vmid) {
        cluster.delete(vmid);
    }

    /**
     * Deletes the guest and creates a different one with the same vmid: new name, ctime, uuid and
     * MAC; tasks destroy then create (and start), all with that vmid.
     */
    public void reuseVmid(int vmid) {
        cluster.reuseVmid(vmid);
    }

    /**
     * Like {@link #reuseVmid}, but the new guest gets the old one's name and status word: the
     * listing cannot tell them apart, only the tasks and the markers can.
     */
    public void reuseVmidKeepingNameAndStatus(int vmid) {
        cluster.reuseVmidKeepingNameAndStatus(vmid, cluster.random());
    }

    /**
     * Starts a full clone of the QEMU VM or template {@code sourceVmid} into {@code newVmid}, as
     * qemu-server {@code clone_vm} does it: a {@code qmclone} task whose id is the SOURCE vmid runs
     * on the source's node; the new vmid is listed at once with {@code lock: clone} (and
     * {@code status: unknown} until pvestatd's first broadcast, 10 s on the clock), and its config
     * is the temporary {@code lock: clone} alone (for a source with a cloud-init drive, one second
     * later the whole new config, still locked, without its boot disk). {@link #cloneFinish} ends it.
     *
     * @param name the new VM's name, or null for {@code Copy-of-VM-<source name>}
     * @throws IllegalArgumentException when {@code newVmid} is taken ("config file already
     *                                  exists", as Proxmox refuses it) or the source is a container
     * @throws IllegalStateException    when the source is busy or its node offline
     */
    public void cloneStart(int sourceVmid, int newVmid, String name) {
        cluster.cloneStart(sourceVmid, newVmid, name, cluster.random());
    }

    /**
     * Ends the clone into {@code newVmid}: its config has every option of the source but a new
     * smbios1 uuid, a new vmgenid, new NIC MACs and no {@code template} ({@code meta} is copied, so
     * it carries the source's ctime); no lock; stopped. The {@code qmclone} task ends with OK.
     */
    public void cloneFinish(int newVmid) {
        cluster.cloneFinish(newVmid);
    }

    /** Backs the guest up now ({@code vzdump} task, id = vmid): for {@link #restoreStart}. */
    public Backup backup(int vmid) {
        return cluster.backup(vmid);
    }

    /** {@link #restoreStart(int, Backup, boolean)} without {@code unique}: uuid, MACs and ctime are the backup's. */
    public void restoreStart(int vmid, Backup backup) {
        restoreStart(vmid, backup, false);
    }

    /**
     * Starts restoring {@code backup} into {@code vmid}, as qemu-server ({@code create_vm} with
     * {@code archive}, {@code restore_vma_archive}) and pve-container ({@code create_vm}) do it: a
     * {@code qmrestore}/{@code vzrestore} task (id = {@code vmid}) runs on the node of the guest it
     * replaces, or else on the backup's node. Over an existing guest (which must be stopped) that
     * guest's disks are destroyed inside the same task, no destroy task. Meanwhile the config is, for
     * 2 s on the clock, the old one (or none) plus {@code lock: create}; then QEMU shows
     * {@code restore_vma_archive}'s temporary {@code memory: 128} without a lock, LXC only
     * {@code lock: create}. {@link #restoreFinish} ends it.
     *
     * @param unique new MACs and (QEMU) a new smbios1 uuid, as the {@code unique} option does
     * @throws IllegalStateException when the guest there runs or is busy, or the node is offline
     */
    public void restoreStart(int vmid, Backup backup, boolean unique) {
        cluster.restoreStart(vmid, backup, unique, cluster.random());
    }

    /**
     * Ends the restore into {@code vmid}: the backed-up config (smbios1 uuid, {@code meta} ctime,
     * MACs, name, sizes) with a new vmgenid and no lock; stopped.
     */
    public void restoreFinish(int vmid) {
        cluster.restoreFinish(vmid);
    }

    /**
     * Adds {@code count} finished filler tasks ({@code aptupdate}, {@code vncshell}) to the node's
     * list, started now: the list keeps at most 25 entries, so they push older tasks out.
     */
    public void noiseTasks(String node, int count) {
        cluster.noiseTasks(node, count, false);
    }

    /**
     * Adds {@code count} filler tasks to the node's list; running ones ({@code vncshell}, open
     * consoles) are never dropped from the list by the 25-entry rule, only by the 32 KiB cut.
     */
    public void noiseTasks(String node, int count, boolean running) {
        cluster.noiseTasks(node, count, running);
    }

    /** Who the following tasks are recorded for (the UPID's user); {@code root@pam} by default. */
    public void taskUser(String user) {
        cluster.taskUser(user);
    }

    /** Sets the configured name; null removes it (Proxmox then shows {@code VM <vmid>} / {@code CT<vmid>}). */
    public void rename(int vmid, String name) {
        cluster.rename(vmid, name);
    }

    /** New sizes: {@code cores} vCPUs (one socket), memory in MiB, boot disk / rootfs in GiB. */
    public void resize(int vmid, int cores, int memoryMib, int diskGib) {
        cluster.resize(vmid, cores, memoryMib, diskGib);
    }

    /** What the QEMU VM's guest agent does from now on. */
    public void setAgent(int vmid, AgentState agent) {
        cluster.setAgent(vmid, agent);
    }

    /**
     * One plausible random change of a guest on an online node, never deleting below the builder's
     * {@code minGuests}: create, start, stop or shutdown, migrate, delete, rename, resize, and now and
     * then a backup, a clone of a QEMU template (into a fresh vmid, or into the vmid of a VM it
     * destroys first), a vmid reused under the same name and status, a restore of a VM's earlier
     * backup over it; clones and restores end on a later step.
     *
     * @return what was done, such as {@code migrate vmid=104 to pve2}
     */
    public String randomStep(Random random) {
        return changes.step(random);
    }

    /** The token loses every privilege on the guests matching now: left out of lists, 403 on their calls. */
    public void revokeAudit(Predicate<SimVm> which) {
        cluster.revokeAudit(which);
    }

    /** Undoes every {@link #revokeAudit}. */
    public void restoreAudit() {
        cluster.restoreAudit();
    }

    /** Replaces the token's privileges (on every path). */
    public void privileges(Set<String> granted) {
        auth.privileges(granted);
    }

    // ---- faults ----

    /**
     * Takes a node out of (or back into) the cluster: its entry says {@code offline} at once, calls
     * proxied to it answer 595, and its guests keep their last values until {@code staleFor} has
     * passed on the clock, then show only {@code status: unknown}.
     */
    public void nodeOffline(String node, boolean offline) {
        cluster.nodeOffline(node, offline);
        log.info("sim node={} - {}", node, offline ? "offline" : "online again");
    }

    /**
     * Cuts a node off from the rest of the cluster (a network partition), or joins it again. Its
     * endpoint keeps answering, as a node that lost quorum does: its listing shows every other node
     * offline (their guests with their last values, then {@code unknown}), its {@code cluster/status}
     * says {@code quorate: 0}, and calls it proxies to other nodes answer 595. The other nodes see
     * it offline and keep quorum while they are a majority.
     */
    public void isolate(String node, boolean isolated) {
        cluster.isolate(node, isolated);
        log.info("sim node={} - {}", node, isolated ? "cut off from the cluster" : "joined the cluster again");
    }

    /**
     * Takes an endpoint down: its port refuses connections and its open connections are cut; back
     * up, it listens on the same port again.
     */
    public void endpointDown(int index, boolean down) {
        Listener listener = listeners.get(index);
        if (down) {
            listener.close();
        } else {
            listener.open();
        }
        log.info("sim endpoint={} - {}", index, down ? "down" : "up again");
    }

    /** Waits this long before every answer; {@link Duration#ZERO} to stop. */
    public void slow(Duration delay) {
        faults.slow(delay);
    }

    /**
     * Makes a node slow to answer calls proxied to it ({@code /nodes/{node}/...}: configs, guest
     * agent, interfaces): the endpoint answers after {@code delay}, as pveproxy does when the node's
     * pvedaemon is busy or its storage hangs. Cluster-wide calls ({@code /cluster/resources}) are
     * served from pmxcfs and stay fast; the node stays online. {@link Duration#ZERO} to stop.
     */
    public void slowGuestCalls(String node, Duration delay) {
        faults.slowNode(node, delay);
        log.info("sim node={} - guest calls {}", node, delay.isZero() ? "fast again" : "answer after " + delay);
    }

    /** Cuts every {@code /cluster/resources} body in the middle (Content-Length matching the cut body). */
    public void malformedJson(boolean on) {
        faults.malformedJson(on);
    }

    /**
     * The next request whose path starts with {@code pathPrefix} (with or without {@code /api2/json})
     * gets this status and reason phrase, whatever it asked; once. 595 and above come with an empty
     * body, like a failed proxy connect; others with Proxmox's error body.
     */
    public void failNext(String pathPrefix, int status, String reason) {
        faults.failNext(pathPrefix, status, reason);
    }

    /**
     * Sends {@code field} of the guest's {@code /cluster/resources} entry as this raw JSON instead
     * (e.g. {@code corruptVm(120, "maxmem", "\"lots\"")}); added if the entry lacks it; null restores it.
     */
    public void corruptVm(int vmid, String field, String jsonValue) {
        faults.corrupt(vmid, field, jsonValue);
    }

    /**
     * Makes the QEMU VM's guest agent answer with an error of its own whose {@code desc} is this
     * text, passed through by Proxmox as HTTP 200 {@code result.error} (PROXMOX-API.md §4.1). The
     * agent runs inside the guest, so the guest's owner chooses this text: markup, quotes, anything.
     */
    public void agentError(int vmid, String desc) {
        faults.agentError(vmid, desc);
        cluster.setAgent(vmid, AgentState.QGA_ERROR);
    }

    /** Stops every endpoint and worker; requests in progress are cut. */
    @Override
    public void close() {
        listeners.forEach(Listener::close);
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                log.warn("sim - some connection threads did not stop within 2 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("sim - stopped after {} requests", api.requestCount());
    }
}
