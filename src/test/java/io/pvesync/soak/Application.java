package io.pvesync.soak;

import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application that sells the VMs, as far as a soak needs it, through its own connection as the
 * tables' owner while the daemon syncs. It hands rows to customers and writes notes, and it inserts
 * rows of its own as DESIGN.md 3.10 describes them, naming only VMID and node, never a cluster:
 * <ul>
 *   <li>a late row: a customer's row for a guest the daemon already keeps in a row of its own
 *       without an owner;</li>
 *   <li>a row for a VM that was ordered and never created (a VMID no cluster ever uses), most of
 *       them older than the grace period, some just written.</li>
 * </ul>
 * Whether the daemon may adopt such a row depends on its node: only when exactly one configured
 * cluster has a node of that name. The application remembers what each row should hold
 * afterwards (its own columns, read back from the row itself) and what it inserted.
 */
final class Application implements AutoCloseable {

    /** The application-owned columns of one row, as the application last left them. */
    record Owned(Integer ownerId, String notes) {
        static final Owned NONE = new Owned(null, null);
    }

    /** A configured cluster, and its simulator for the truth the application knows (its guests and nodes). */
    record Cluster(String name, ProxmoxSimulator sim) {
    }

    enum Kind { LATE, NEVER_CREATED }

    /**
     * A row the application inserted.
     *
     * @param row         the row as inserted, read back
     * @param adoptableBy the one configured cluster that has the row's node; null when none or
     *                    several have it (the row must then be left alone)
     * @param meant       LATE: the cluster whose guest the row was written for; else null
     * @param marker      LATE: that guest's marker at the time
     * @param target      LATE: the daemon's row of that guest, without an owner at the time
     */
    record Inserted(TableRow row, Kind kind, Instant createdAt, String adoptableBy, String meant, String marker,
                    Integer target) {
    }

    /** The first VMID of the VMs that are ordered and never created: far above what a soak's clusters reach. */
    static final int NEVER_CREATED_FROM = 900;

    private static final Logger log = LoggerFactory.getLogger(Application.class);
    private static final String INSERT = "INSERT INTO public.vms (vmid, name, proxmox_node, owner_id, notes, created_at)"
            + " VALUES (?, ?, ?, ?, ?, now() - ? * interval '1 second') RETURNING " + TableRow.COLUMNS + ", created_at";

    private final Connection c;
    private final List<Cluster> clusters;
    private final List<Integer> customers = new ArrayList<>();
    private final Map<Integer, Owned> written = new HashMap<>();
    private final Map<Integer, Inserted> inserted = new HashMap<>();
    /** The daemon's rows a late row was written for: the application leaves them alone from then on. */
    private final Set<Integer> lateTargets = new HashSet<>();
    private final Tally writes = new Tally();
    private int neverCreated;

    Application(Connection c, List<Cluster> clusters, int customerCount) throws SQLException {
        this.c = c;
        this.clusters = List.copyOf(clusters);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.users (username) VALUES (?) RETURNING id")) {
            for (int i = 1; i <= customerCount; i++) {
                ps.setString(1, "soak-customer-" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    customers.add(rs.getInt(1));
                }
            }
        }
    }

    /** One write: mostly an owner or a note on a live row; a late row (1 in 4); a row of a VM never created (3 in 20). */
    void writeOne(Random r) throws SQLException {
        int roll = r.nextInt(100);
        if (roll < 25 && writeLateRow(r)) {
            return;
        }
        if (roll >= 25 && roll < 40) {
            writeNeverCreated(r);
            return;
        }
        update(r);
    }

    /** Gives a random live row of a cluster an owner, a note, or both. */
    private void update(Random r) throws SQLException {
        List<Integer> live = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM public.vms WHERE proxmox_cluster IS NOT NULL AND retired_at IS NULL ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!lateTargets.contains(rs.getInt(1))) {
                    live.add(rs.getInt(1));
                }
            }
        }
        if (live.isEmpty()) {
            return;
        }
        int id = live.get(r.nextInt(live.size()));
        int what = r.nextInt(3);
        String set = switch (what) {
            case 0 -> "owner_id = ?";
            case 1 -> "notes = ?";
            default -> "owner_id = ?, notes = ?";
        };
        try (PreparedStatement ps = c.prepareStatement("UPDATE public.vms SET " + set + " WHERE id = ?"
                + " RETURNING owner_id, notes")) {
            int i = 1;
            if (what != 1) {
                ps.setInt(i++, customer(r));
            }
            if (what != 0) {
                ps.setString(i++, "soak note " + r.nextInt(1_000_000) + ": customer asked for a bigger disk");
            }
            ps.setInt(i, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Owned owned = new Owned(rs.getObject(1, Integer.class), rs.getString(2));
                written.put(id, owned);
                log.info("soak - application: row {} now {}", id, owned);
            }
        }
        writes.add(what == 0 ? "owner" : what == 1 ? "notes" : "owner+notes");
    }

    /**
     * A customer's row for a guest the daemon already keeps, without an owner, in a row of its own
     * (DESIGN.md 3.10): named by VMID and the guest's node, as the application knows them. Half
     * the time on a node only one cluster has, when there is such a guest.
     *
     * @return false when no guest fits now
     */
    private boolean writeLateRow(Random r) throws SQLException {
        List<TableRow> unowned = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + TableRow.COLUMNS + " FROM public.vms v"
                + " WHERE proxmox_cluster IS NOT NULL AND retired_at IS NULL AND owner_id IS NULL"
                + " AND status <> 'missing' AND incarnation IS NOT NULL"
                + " AND NOT EXISTS (SELECT 1 FROM public.vms a WHERE a.proxmox_cluster IS NULL AND a.vmid = v.vmid)"
                + " ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                unowned.add(TableRow.read(rs));
            }
        }
        List<TableRow> fitting = new ArrayList<>();
        List<TableRow> provable = new ArrayList<>();
        Map<Integer, SimVm> guestOf = new HashMap<>();
        for (TableRow row : unowned) {
            Cluster cluster = cluster(row.cluster());
            if (cluster == null || inserted.containsKey(row.id()) || lateTargets.contains(row.id())) {
                continue;
            }
            SimVm vm = cluster.sim().vm(row.vmid()).orElse(null);
            // the row is this guest's: its marker is the guest's now, and no clone or restore runs on it
            if (vm == null || vm.template() || cluster.sim().inProgress().contains(vm.vmid())
                    || !row.incarnation().equals(vm.marker())) {
                continue;
            }
            fitting.add(row);
            guestOf.put(row.id(), vm);
            if (adoptableBy(vm.node()) != null) {
                provable.add(row);
            }
        }
        if (fitting.isEmpty()) {
            return false;
        }
        List<TableRow> from = !provable.isEmpty() && r.nextBoolean() ? provable : fitting;
        TableRow target = from.get(r.nextInt(from.size()));
        SimVm vm = guestOf.get(target.id());
        String adoptable = adoptableBy(vm.node());
        Inserted row = insert(vm.vmid(), vm.name(), vm.node(), customer(r), "soak: the customer's " + vm.name(), 0,
                Kind.LATE, adoptable, target.cluster(), vm.marker(), target.id());
        lateTargets.add(target.id());
        writes.add(adoptable != null ? "late-row" : "late-row-unprovable");
        log.info("soak - application: late row {} for {} vmid {} on {} (the daemon's row {}){}", row.row().id(),
                target.cluster(), vm.vmid(), vm.node(), target.id(),
                adoptable != null ? "" : ", a node name no single cluster has: not adoptable");
        return true;
    }

    /**
     * A row for a VM that was ordered and never created: a VMID no cluster uses. Half on a node only
     * one cluster has (adoptable: marked missing once older than the grace period), the others on
     * a node several clusters have or none has (never adopted). Two in three are written as an
     * hour old, the others now.
     */
    private void writeNeverCreated(Random r) throws SQLException {
        List<String> only = new ArrayList<>();
        List<String> shared = new ArrayList<>();
        clusters.stream().flatMap(cl -> cl.sim().nodes().stream()).distinct().sorted()
                .forEach(node -> (adoptableBy(node) != null ? only : shared).add(node));
        int roll = r.nextInt(10);
        String node;
        if (roll < 5 && !only.isEmpty()) {
            node = only.get(r.nextInt(only.size()));
        } else if (roll < 8 && !shared.isEmpty()) {
            node = shared.get(r.nextInt(shared.size()));
        } else {
            node = "pve99";
        }
        int vmid = NEVER_CREATED_FROM + neverCreated++;
        boolean old = r.nextInt(3) < 2;
        String adoptable = adoptableBy(node);
        Inserted row = insert(vmid, "ordered-" + vmid, node, customer(r), "soak: ordered, never created",
                old ? 3600 : 0, Kind.NEVER_CREATED, adoptable, null, null, null);
        writes.add(adoptable != null ? "never-created" : "never-created-unprovable");
        log.info("soak - application: row {} for vmid {} on {} that will never exist ({}){}", row.row().id(), vmid,
                node, old ? "an hour old" : "new", adoptable != null ? "" : ", not adoptable");
    }

    private Inserted insert(int vmid, String name, String node, int owner, String notes, int ageSeconds, Kind kind,
                            String adoptable, String meant, String marker, Integer target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setInt(1, vmid);
            ps.setString(2, name);
            ps.setString(3, node);
            ps.setInt(4, owner);
            ps.setString(5, notes);
            ps.setInt(6, ageSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                TableRow row = TableRow.read(rs);
                Instant created = rs.getObject(15, java.time.OffsetDateTime.class).toInstant();
                Inserted done = new Inserted(row, kind, created, adoptable, meant, marker, target);
                inserted.put(row.id(), done);
                written.put(row.id(), new Owned(row.ownerId(), row.notes()));
                return done;
            }
        }
    }

    /** The one configured cluster that has a node of this name, or null when none or several have one. */
    String adoptableBy(String node) {
        List<String> having = clusters.stream().filter(cl -> cl.sim().nodes().contains(node)).map(Cluster::name)
                .toList();
        return having.size() == 1 ? having.get(0) : null;
    }

    private Cluster cluster(String name) {
        return clusters.stream().filter(cl -> cl.name().equals(name)).findFirst().orElse(null);
    }

    private int customer(Random r) {
        return customers.get(r.nextInt(customers.size()));
    }

    /** Row id to what the application last wrote into it. */
    Map<Integer, Owned> written() {
        return Map.copyOf(written);
    }

    /** Row id to the rows the application inserted. */
    Map<Integer, Inserted> inserted() {
        return Map.copyOf(inserted);
    }

    Tally writes() {
        return writes;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
