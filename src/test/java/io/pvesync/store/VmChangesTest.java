package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.VmChange.Kind;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change history (DESIGN.md 4.5) as the store writes it, read back as the owner and through
 * the daemon's role under each row-level security context. Every test uses its own cluster.
 */
class VmChangesTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MissingPolicy NO_GRACE = new MissingPolicy(Duration.ZERO, 0.10, 5);
    private static final ApplyOptions POLL = new ApplyOptions(false, false, Set.of(), NO_GRACE);
    private static final ApplyOptions RECONCILE = new ApplyOptions(true, false, Set.of(), NO_GRACE);

    private static Table table;
    private static VmStore store;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        store = new VmStore(db.daemonPool());
    }

    @Test
    void anInsertRecordsEveryColumnItSetAndNoOwner() throws Exception {
        ApplyResult result = store.apply(Snap.of("ins")
                .vm(vm(100, "pve1", "web", VmStatus.RUNNING, 2, 2048, 32, "10.0.0.5", "uuid-a")).build(), POLL);

        List<Map<String, Object>> history = history("ins");
        assertThat(history).hasSize(1);
        Map<String, Object> change = history.get(0);
        assertThat(change).containsEntry("kind", "inserted").containsEntry("vmid", 100)
                .containsEntry("vm_id", table.live("ins", 100).get("id")).containsEntry("owner_id", null)
                .containsEntry("proxmox_cluster", "ins");
        assertThat(changes(change)).isEqualTo(json("{\"name\": [null, \"web\"], \"status\": [null, \"running\"],"
                + " \"ip_address\": [null, \"10.0.0.5\"], \"cpu_cores\": [null, 2], \"memory_mb\": [null, 2048],"
                + " \"disk_gb\": [null, 32], \"proxmox_node\": [null, \"pve1\"], \"incarnation\": [null, \"uuid-a\"],"
                + " \"proxmox_cluster\": [null, \"ins\"]}"));
        assertThat(result.recorded().count(Kind.INSERT)).isEqualTo(1);
        assertThat(result.recorded().vmIds()).containsExactly((Integer) change.get("vm_id"));
        assertThat(result.recorded().firstId()).isEqualTo(change.get("id")).isEqualTo(result.recorded().lastId());
    }

    @Test
    void anUpdateRecordsOnlyTheColumnsThatChangedWithOldAndNewValues() throws Exception {
        store.apply(Snap.of("upd").vm(vm(110, "pve1", "a")).vm(vm(111, "pve1", "b")).build(), POLL);

        store.apply(Snap.of("upd").vm(vm(110, "pve1", "a"))
                .vm(vm(111, "pve1", "b", VmStatus.STOPPED, 2, 4096, 32, null, null)).build(), POLL);

        List<Map<String, Object>> history = history("upd");
        assertThat(history).extracting(h -> h.get("kind")).containsExactly("inserted", "inserted", "updated");
        Map<String, Object> update = history.get(2);
        assertThat(update).containsEntry("vmid", 111).containsEntry("vm_id", table.live("upd", 111).get("id"));
        assertThat(changes(update)).isEqualTo(json("{\"status\": [\"running\", \"stopped\"],"
                + " \"memory_mb\": [2048, 4096]}"));
    }

    @Test
    void aVanishedVmIsRecordedMissingAndItsReturnRestored() throws Exception {
        store.apply(Snap.of("gone").vm(vm(120, "pve1", "a")).vm(vm(121, "pve1", "b")).build(), POLL);
        table.age("gone");

        store.apply(Snap.of("gone").vm(vm(120, "pve1", "a")).build(), POLL);
        store.apply(Snap.of("gone").vm(vm(120, "pve1", "a")).vm(vm(121, "pve2", "b")).build(), POLL);

        List<Map<String, Object>> of121 = history("gone").stream().filter(h -> h.get("vmid").equals(121)).toList();
        assertThat(of121).extracting(h -> h.get("kind")).containsExactly("inserted", "missing", "restored");
        assertThat(changes(of121.get(1))).isEqualTo(json("{\"status\": [\"running\", \"missing\"]}"));
        assertThat(changes(of121.get(2))).isEqualTo(json("{\"status\": [\"missing\", \"running\"],"
                + " \"proxmox_node\": [\"pve1\", \"pve2\"]}"));
    }

    @Test
    void aReusedVmidRetiresTheOldRowWhoseHistoryStaysWithItsOwnerWhileTheNewVmStartsItsOwn() throws Exception {
        store.apply(Snap.of("reuse").vm(vm(130, "pve1", "old", VmStatus.RUNNING, 2, 2048, 32, null, "uuid-1")).build(),
                POLL);
        int owner = user("first-customer");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'reuse'", owner);
        Object oldId = table.live("reuse", 130).get("id");

        ApplyResult result = store.apply(Snap.of("reuse")
                .vm(vm(130, "pve1", "new", VmStatus.RUNNING, 2, 2048, 32, null, "uuid-2")).build(), RECONCILE);

        Object newId = table.live("reuse", 130).get("id");
        assertThat(newId).isNotEqualTo(oldId);
        List<Map<String, Object>> ofOld = historyOf(oldId);
        assertThat(ofOld).extracting(h -> h.get("kind")).containsExactly("inserted", "retired");
        // the insert was made while the row had no owner: admins only; the retirement is the owner's
        assertThat(ofOld).extracting(h -> h.get("owner_id")).containsExactly(null, owner);
        JsonNode retired = changes(ofOld.get(1));
        assertThat(retired.get("status")).isEqualTo(json("[\"running\", \"missing\"]"));
        assertThat(retired.get("retired_at").get(0).isNull()).isTrue();
        assertThat(retired.get("retired_at").get(1).asText()).isNotEmpty();
        assertThat(retired.size()).as("only status and retired_at changed: " + retired).isEqualTo(2);
        List<Map<String, Object>> ofNew = historyOf(newId);
        assertThat(ofNew).extracting(h -> h.get("kind")).containsExactly("inserted");
        assertThat(ofNew.get(0)).containsEntry("owner_id", null);
        assertThat(changes(ofNew.get(0)).get("name")).isEqualTo(json("[null, \"new\"]"));
        assertThat(result.recorded().count(Kind.RETIRE)).isEqualTo(1);
        assertThat(result.recorded().count(Kind.INSERT)).isEqualTo(1);

        assertThat(asUser(owner, "reuse")).extracting(h -> h.get("vm_id")).containsExactly(oldId);
    }

    @Test
    void anApplicationRowIsRecordedAdoptedWithItsOwner() throws Exception {
        int owner = user("adopter");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id) VALUES"
                + " (140, 'ordered', 'stopped', 'pve1', ?)", owner);

        store.apply(Snap.of("adopt").vm(vm(140, "pve1", "ordered")).build(), POLL);

        List<Map<String, Object>> history = history("adopt");
        assertThat(history).hasSize(1);
        assertThat(history.get(0)).containsEntry("kind", "adopted").containsEntry("owner_id", owner)
                .containsEntry("vm_id", table.live("adopt", 140).get("id"));
        assertThat(changes(history.get(0))).isEqualTo(json("{\"proxmox_cluster\": [null, \"adopt\"],"
                + " \"status\": [\"stopped\", \"running\"], \"cpu_cores\": [null, 2], \"memory_mb\": [null, 2048],"
                + " \"disk_gb\": [null, 32]}"));
    }

    @Test
    void aLateApplicationRowTakesOverAndPvesyncsOwnRowIsRecordedRetired() throws Exception {
        store.apply(Snap.of("late").vm(vm(145, "pve1", "vm145")).build(), POLL);
        Object pvesyncRow = table.live("late", 145).get("id");
        int owner = user("late-customer");
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (145, 'vm145', 'pve1', ?)", owner);

        store.apply(Snap.of("late").vm(vm(145, "pve1", "vm145")).build(), POLL);

        assertThat(historyOf(pvesyncRow)).extracting(h -> h.get("kind")).containsExactly("inserted", "retired");
        Object appRow = table.live("late", 145).get("id");
        assertThat(historyOf(appRow)).extracting(h -> h.get("kind"), h -> h.get("owner_id"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("adopted", owner));
    }

    @Test
    void anUnchangedPassAndADryRunRecordNothing() throws Exception {
        var snapshot = Snap.of("same").vm(vm(150, "pve1", "a")).vm(vm(151, "pve1", "b")).build();
        store.apply(snapshot, POLL);
        long before = count();

        ApplyResult poll = store.apply(snapshot, POLL);
        ApplyResult reconcile = store.apply(snapshot, RECONCILE);
        ApplyResult dryRun = store.apply(Snap.of("same").vm(vm(150, "pve1", "renamed")).build(),
                new ApplyOptions(false, true, Set.of(), NO_GRACE));

        assertThat(count()).isEqualTo(before);
        assertThat(poll.recorded().isEmpty()).isTrue();
        assertThat(reconcile.recorded().isEmpty()).as("a reconcile's last_seen_at touch is no change").isTrue();
        assertThat(dryRun.changes()).isNotEmpty();
        assertThat(dryRun.recorded().isEmpty()).isTrue();
    }

    @Test
    void aUserContextSeesOnlyItsOwnVmsHistoryAndNoContextSeesNone() throws Exception {
        int alice = user("alice");
        int bob = user("bob");
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (160, 'alice-vm', 'pve1', ?),"
                + " (161, 'bob-vm', 'pve1', ?)", alice, bob);
        store.apply(Snap.of("tenants").vm(vm(160, "pve1", "alice-vm")).vm(vm(161, "pve1", "bob-vm"))
                .vm(vm(162, "pve1", "nobodys")).build(), POLL);

        assertThat(asUser(alice, "tenants")).extracting(h -> h.get("vmid")).containsExactly(160);
        assertThat(asUser(bob, "tenants")).extracting(h -> h.get("vmid")).containsExactly(161);
        assertThat(read("tenants", null)).as("no context").isEmpty();
        assertThat(read("tenants", RlsContext.ADMIN_ROLE)).extracting(h -> h.get("vmid")).containsExactly(160, 161, 162);
    }

    @Test
    void aUserContextCannotRewriteItsHistory() throws Exception {
        int carol = user("carol");
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (165, 'carol-vm', 'pve1', ?)",
                carol);
        store.apply(Snap.of("rewrite").vm(vm(165, "pve1", "carol-vm")).build(), POLL);

        try (Connection c = db.daemonPool().getConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, carol);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM public.vm_changes WHERE proxmox_cluster = 'rewrite'")) {
                assertThat(ps.executeUpdate()).as("the user policy only reads").isZero();
            }
            c.commit();
        }
        assertThat(history("rewrite")).hasSize(1);
    }

    @Test
    void theHistoryOutlivesItsVmsRow() throws Exception {
        store.apply(Snap.of("deleted").vm(vm(170, "pve1", "doomed")).build(), POLL);
        Object id = table.live("deleted", 170).get("id");

        table.update("DELETE FROM public.vms WHERE id = ?", id);

        assertThat(historyOf(id)).extracting(h -> h.get("kind")).containsExactly("inserted");
    }

    @Test
    void severalKindsInOnePassAreCountedByKindWithEveryChangedRow() throws Exception {
        store.apply(Snap.of("mixed").vm(vm(180, "pve1", "a")).vm(vm(181, "pve1", "b")).vm(vm(182, "pve1", "c"))
                .build(), POLL);
        table.age("mixed");

        ApplyResult result = store.apply(Snap.of("mixed").vm(vm(180, "pve1", "a2")).vm(vm(181, "pve1", "b"))
                .vm(vm(183, "pve1", "d")).build(), POLL);

        RecordedChanges recorded = result.recorded();
        assertThat(recorded.counts()).containsOnly(Map.entry(Kind.UPDATE, 1), Map.entry(Kind.MISSING, 1),
                Map.entry(Kind.INSERT, 1));
        assertThat(recorded.vmIds()).containsExactly((Integer) table.live("mixed", 180).get("id"),
                (Integer) table.live("mixed", 182).get("id"), (Integer) table.live("mixed", 183).get("id"));
        List<Map<String, Object>> last = table.query("SELECT id FROM public.vm_changes WHERE proxmox_cluster = 'mixed'"
                + " AND id >= ? ORDER BY id", recorded.firstId());
        assertThat(last).hasSize(3);
        assertThat(last.get(2).get("id")).isEqualTo(recorded.lastId());
    }

    private static int user(String name) throws Exception {
        return (Integer) table.query("INSERT INTO public.users (username) VALUES (?) RETURNING id", name).get(0).get("id");
    }

    private static long count() throws Exception {
        return (Long) table.query("SELECT count(*) AS n FROM public.vm_changes").get(0).get("n");
    }

    /** The cluster's history as the owner sees it (past RLS), oldest first. */
    private static List<Map<String, Object>> history(String cluster) throws Exception {
        return table.query("SELECT id, vm_id, vmid, proxmox_cluster, kind, changes::text AS changes, owner_id"
                + " FROM public.vm_changes WHERE proxmox_cluster = ? ORDER BY id", cluster);
    }

    private static List<Map<String, Object>> historyOf(Object vmId) throws Exception {
        return table.query("SELECT id, vm_id, vmid, kind, changes::text AS changes, owner_id FROM public.vm_changes"
                + " WHERE vm_id = ? ORDER BY id", vmId);
    }

    private static List<Map<String, Object>> asUser(int userId, String cluster) throws Exception {
        try (Connection c = db.daemonPool().getConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, userId);
            List<Map<String, Object>> out = select(c, cluster);
            c.commit();
            return out;
        }
    }

    /** The cluster's history through the daemon's role: {@code role} admin, or no context at all. */
    private static List<Map<String, Object>> read(String cluster, String role) throws Exception {
        try (Connection c = db.daemonPool().getConnection()) {
            c.setAutoCommit(false);
            if (role != null) {
                RlsContext.admin(c);
            }
            List<Map<String, Object>> out = select(c, cluster);
            c.commit();
            return out;
        }
    }

    private static List<Map<String, Object>> select(Connection c, String cluster) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT vm_id, vmid, kind FROM public.vm_changes"
                + " WHERE proxmox_cluster = ? ORDER BY vmid, id")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Map.of("vm_id", rs.getInt(1), "vmid", rs.getInt(2), "kind", rs.getString(3)));
                }
            }
        }
        return out;
    }

    private static JsonNode changes(Map<String, Object> change) throws Exception {
        return JSON.readTree((String) change.get("changes"));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
