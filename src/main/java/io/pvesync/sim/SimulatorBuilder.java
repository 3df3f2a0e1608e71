package io.pvesync.sim;

import io.pvesync.sim.SimVm.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Configures and starts a {@link ProxmoxSimulator}; get one from {@link ProxmoxSimulator#builder()}.
 * Every option has a default, so {@code ProxmoxSimulator.builder().start()} gives a small
 * three-node PVE 9 cluster over TLS.
 */
public final class SimulatorBuilder {

    /** The token secret when none is set. */
    public static final String DEFAULT_TOKEN_SECRET = "5f0c2a1e-7b9d-4c3e-9a8f-0123456789ab";

    private static final long FIRST_CTIME = 1_700_000_000L; // November 2023
    private static final int CTIME_SPREAD = 60_000_000; // about two years

    private int nodes = 3;
    private int vms = 10;
    private int containers = 2;
    private int templates = 1;
    private long seed = 1;
    private String tokenId = "pvesync@pve!inventory";
    private String tokenSecret = DEFAULT_TOKEN_SECRET;
    private int endpoints = 1;
    private int[] ports = new int[0];
    private boolean tls = true;
    private Duration authFailureDelay = Duration.ofSeconds(3);
    private String version = "9.1.1";
    private Clock clock = Clock.systemUTC();
    private Duration staleFor = Duration.ofMinutes(5);
    private Set<String> privileges;
    private double quirkShare = 0.05;
    private String clusterName = "pvesim";
    private int workers = 256;
    private Integer minGuests;
    private Timing timing = Timing.none();

    SimulatorBuilder() {
    }

    /** Nodes {@code pve1..pveN}, all online; default 3. */
    public SimulatorBuilder nodes(int count) {
        nodes = atLeast(count, 1, "nodes");
        return this;
    }

    /** QEMU VMs that are not templates; default 10. */
    public SimulatorBuilder vms(int count) {
        vms = atLeast(count, 0, "vms");
        return this;
    }

    /** LXC containers; default 2. */
    public SimulatorBuilder containers(int count) {
        containers = atLeast(count, 0, "containers");
        return this;
    }

    /** QEMU templates; default 1. */
    public SimulatorBuilder templates(int count) {
        templates = atLeast(count, 0, "templates");
        return this;
    }

    /** Fixes every generated detail: the same seed and counts give the same cluster; default 1. */
    public SimulatorBuilder seed(long value) {
        seed = value;
        return this;
    }

    /** The one token that authenticates, {@code USER@REALM!TOKENID}. */
    public SimulatorBuilder tokenId(String value) {
        tokenId = Objects.requireNonNull(value, "tokenId");
        return this;
    }

    public SimulatorBuilder tokenSecret(String value) {
        tokenSecret = Objects.requireNonNull(value, "tokenSecret");
        return this;
    }

    /** How many listeners serve the cluster, like several nodes' pveproxy; default 1. */
    public SimulatorBuilder endpoints(int count) {
        endpoints = atLeast(count, 1, "endpoints");
        return this;
    }

    /** Fixed ports for the first endpoints (0 = any free port); the others get free ports. */
    public SimulatorBuilder ports(int... values) {
        ports = values.clone();
        return this;
    }

    /** HTTPS with the simulator's own CA (default) or plain HTTP. */
    public SimulatorBuilder tls(boolean on) {
        tls = on;
        return this;
    }

    /** How long every 401 waits (pveproxy: 3 s, the default); tests shorten it. */
    public SimulatorBuilder authFailureDelay(Duration delay) {
        authFailureDelay = nonNegative(delay, "authFailureDelay");
        return this;
    }

    /**
     * The pve-manager version to claim and behave as ({@code 9.1.1} by default, {@code 8.4.1} for
     * PVE 8): it decides the agent's privilege, the 401 wording, memory's JSON type, whether
     * errors carry a body message, and the container interfaces' shape.
     */
    public SimulatorBuilder version(String value) {
        PveVersion.parse(value);
        version = value;
        return this;
    }

    /** The clock for uptimes and offline-node timing; tests move it by hand. */
    public SimulatorBuilder clock(Clock value) {
        clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /** How long an offline node's guests keep their last values (pmxcfs: 5 minutes, the default). */
    public SimulatorBuilder staleFor(Duration value) {
        staleFor = nonNegative(value, "staleFor");
        return this;
    }

    /** The token's privileges on every path; default: the PVEAuditor role of the version. */
    public SimulatorBuilder privileges(Set<String> granted) {
        privileges = Set.copyOf(granted);
        return this;
    }

    public SimulatorBuilder privileges(String... granted) {
        return privileges(Set.copyOf(Arrays.asList(granted)));
    }

    /**
     * The share of guests whose {@code /cluster/resources} entry sends numbers as strings
     * ({@code "maxmem":"8589934592"} or {@code "maxcpu":"4"}); default 0.05, 0 for none.
     */
    public SimulatorBuilder stringNumberShare(double share) {
        if (share < 0 || share > 1) {
            throw new IllegalArgumentException("stringNumberShare " + share + ": expected 0..1");
        }
        quirkShare = share;
        return this;
    }

    /** The cluster's name in {@code /cluster/status}; default {@code pvesim}. */
    public SimulatorBuilder clusterName(String value) {
        clusterName = Objects.requireNonNull(value, "clusterName");
        return this;
    }

    /** Connections served at once over all endpoints (one thread each); default 256. */
    public SimulatorBuilder workers(int count) {
        workers = atLeast(count, 1, "workers");
        return this;
    }

    /** {@link ProxmoxSimulator#randomStep} never deletes below this many guests; default half the initial ones. */
    public SimulatorBuilder minGuests(int count) {
        minGuests = atLeast(count, 0, "minGuests");
        return this;
    }

    /**
     * How long answers take and how many workers per node serve them: {@link Timing#none()} (the
     * default: as fast as the machine allows) or {@link Timing#realistic()} (Proxmox's 3 pveproxy
     * and 3 pvedaemon workers per node, its service times and the guest agent's 3 s timeout).
     */
    public SimulatorBuilder timing(Timing value) {
        timing = Objects.requireNonNull(value, "timing");
        return this;
    }

    /**
     * Generates the cluster and starts listening.
     *
     * @throws java.io.UncheckedIOException when a port cannot be bound
     */
    public ProxmoxSimulator start() {
        PveVersion pve = PveVersion.parse(version);
        Random random = new Random(seed);
        List<SimNode> nodeList = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            nodeList.add(SimNode.numbered(i));
        }
        // kinds in a seeded order, so containers and templates sit between VMs as in a real cluster
        List<Kind> kinds = new ArrayList<>();
        List<Boolean> isTemplate = new ArrayList<>();
        for (int i = 0; i < vms + containers + templates; i++) {
            kinds.add(i < vms + templates ? Kind.QEMU : Kind.LXC);
            isTemplate.add(i >= vms && i < vms + templates);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        GuestFactory factory = new GuestFactory(quirkShare);
        Instant now = clock.instant();
        List<Guest> guests = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            int which = order.get(i);
            String node = nodeList.get(random.nextInt(nodes)).name();
            long ctime = FIRST_CTIME + random.nextInt(CTIME_SPREAD);
            guests.add(factory.initial(random, SimCluster.FIRST_VMID + i, kinds.get(which), isTemplate.get(which),
                    node, ctime, now));
        }
        SimCluster cluster = new SimCluster(nodeList, guests, clock, staleFor, factory, new Random(seed * 31 + 17), now);
        Set<String> granted = privileges != null ? privileges : Auth.auditor(pve);
        Auth auth = new Auth(tokenId, tokenSecret, pve, authFailureDelay, granted);
        int floor = minGuests != null ? minGuests : (vms + containers) / 2;
        int[] fixedPorts = new int[endpoints];
        System.arraycopy(ports, 0, fixedPorts, 0, Math.min(ports.length, endpoints));
        return new ProxmoxSimulator(cluster, auth, pve, clusterName, tls, fixedPorts, workers,
                new RandomChanges(cluster, floor), now, timing, seed);
    }

    private static int atLeast(int value, int min, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " " + value + ": at least " + min);
        }
        return value;
    }

    private static Duration nonNegative(Duration value, String what) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(what + " " + value + ": must not be negative");
        }
        return value;
    }
}
