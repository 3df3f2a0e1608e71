package io.pvesync.faults;

import io.pvesync.testing.MutableClock;
import static io.pvesync.sync.SyncOutcome.Result.FAILED;
import static io.pvesync.sync.SyncOutcome.Result.OK;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.Migrations;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults on the Proxmox side, one pass at a time against the simulator (HTTPS, two endpoints, 12
 * VMs and a template on 3 nodes) and a real database written by the non-owner daemon role. Each
 * test starts from a table the first full pass made equal to the simulated truth, injects one fault
 * and asserts the pass's exact outcome and every row: untouched rows keep even their {@code xmin}.
 */
class ProxmoxFaultsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static HikariDataSource pool;

    @TempDir
    Path dir;

    private final VmsTable table = new VmsTable(db);
    private MutableClock simClock;
    private ProxmoxSimulator sim;
    private Passes passes;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        pool = db.daemonPool();
    }

    @BeforeEach
    void firstPass() throws Exception {
        table.truncate();
        simClock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(0).templates(1).endpoints(2).tls(true)
                .seed(11).clock(simClock).authFailureDelay(Duration.ofMillis(10)).start();
        passes = new Passes(sim, dir, pool, Duration.ofSeconds(1), Duration.ofSeconds(30));
        SyncOutcome first = passes.reconcile();
        assertThat(first.result()).as("%s", first.summary()).isEqualTo(OK);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
    }

    @AfterEach
    void stop() {
        passes.close();
        sim.close();
    }

    @Test
    void oneEndpointDownFailsOverToTheNextAndThePassSucceeds() throws Exception {
        int vmid = runningVms().get(0).vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.endpointDown(0, true);
        sim.stop(vmid);

        SyncOutcome outcome;
        try (Logs logs = new Logs(ProxmoxClient.class)) {
            outcome = passes.poll();
            // refused, or cut under a pooled keep-alive connection: either way the next endpoint answers,
            // for the listing and for the task list
            assertThat(logs.at(Level.WARN)).hasSize(2).allSatisfy(line -> assertThat(line).matches(
                    Pattern.quote("cluster=lab endpoint=" + endpoint(0) + " - GET /cluster/") + "(resources|tasks)"
                            + Pattern.quote(" failed (") + ".+" + Pattern.quote("); trying " + endpoint(1))));
        }

        assertThat(outcome.result()).isEqualTo(OK);
        assertThat(outcome.problem()).isEmpty();
        assertThat(outcome.apply().orElseThrow().updated()).isEqualTo(1);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    @Test
    void aListingSlowerThanTheReadTimeoutFailsThePassNamingTheTimeoutAndTheNextPassRecovers() throws Exception {
        int vmid = runningVms().get(0).vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.stop(vmid);
        sim.slow(Duration.ofMillis(1500));

        SyncOutcome failed = passes.poll();

        assertThat(failed.result()).isEqualTo(FAILED);
        assertThat(failed.apply()).isEmpty();
        assertThat(failed.problem()).contains("Proxmox API: cluster lab: all 2 endpoints failed for GET"
                + " /cluster/resources: " + endpoint(0) + " (read timed out after 1s), " + endpoint(1)
                + " (read timed out after 1s); rows left as they were");
        assertThat(table.snapshot()).isEqualTo(before);

        sim.slow(Duration.ZERO);
        SyncOutcome recovered = passes.poll();

        assertThat(recovered.result()).isEqualTo(OK);
        assertThat(recovered.apply().orElseThrow().updated()).isEqualTo(1);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    @Test
    void aTruncatedListingFailsThePassClearlyAndWritesNothing() throws Exception {
        int vmid = runningVms().get(0).vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.stop(vmid);
        sim.malformedJson(true);

        SyncOutcome failed = passes.poll();

        assertThat(failed.result()).isEqualTo(FAILED);
        assertThat(failed.problem().orElseThrow()).matches(
                "Proxmox API: cluster lab: all 2 endpoints failed for GET /cluster/resources: "
                        + Pattern.quote(endpoint(0)) + " \\(answer is malformed JSON: Unexpected end-of-input: expected close"
                        + " marker for Object at line 1, column \\d+\\), " + Pattern.quote(endpoint(1))
                        + " \\(answer is malformed JSON: Unexpected end-of-input: expected close marker for Object"
                        + " at line 1, column \\d+\\);"
                        + " rows left as they were");
        assertThat(table.snapshot()).isEqualTo(before);

        sim.malformedJson(false);
        assertThat(passes.poll().result()).isEqualTo(OK);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    @Test
    void aVmWithAWronglyTypedFieldIsSkippedWithAWarningItsRowUntouchedAndTheRestSynced() throws Exception {
        List<SimVm> running = runningVms();
        int corrupt = running.get(0).vmid();
        int other = running.get(1).vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.corruptVm(corrupt, "maxmem", "\"lots\"");
        // both change; only the readable one may reach the table
        sim.stop(corrupt);
        sim.stop(other);

        SyncOutcome outcome;
        try (Logs logs = new Logs(ResourceMapper.class)) {
            outcome = passes.poll();
            assertThat(logs.at(Level.WARN)).containsExactly("cluster=lab vmid=" + corrupt + " - /cluster/resources"
                    + " entry skipped, field maxmem: not a number: \"lots\"; its row is left as it is"
                    + " (check the guest's config on node " + running.get(0).node() + ")");
        }

        assertThat(outcome.result()).isEqualTo(OK);
        ApplyResult applied = outcome.apply().orElseThrow();
        assertThat(applied.updated()).isEqualTo(1);
        assertThat(applied.missing()).isZero();
        assertThat(applied.held()).isEqualTo(1);
        assertThat(outcome.skipped()).isEqualTo(2); // the template and the unreadable entry
        assertThat(table.live(other).get("status")).isEqualTo("stopped");
        assertThat(table.live(corrupt)).isEqualTo(before.get(idOf(before, corrupt)));
        assertUntouchedExcept(before, other);

        sim.corruptVm(corrupt, "maxmem", null);
        assertThat(passes.poll().result()).isEqualTo(OK);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
    }

    @Test
    void anOfflineNodeKeepsItsRowsExactlyWhileProxmoxShowsStaleRunningAndThenUnknown() throws Exception {
        String node = nodeWithRunningVms();
        Set<Integer> onNode = guestsOn(node);
        int owned = onNode.iterator().next();
        int owner = table.giveToNewUser(owned, "carol", "carol's mail server");
        int elsewhere = runningVms().stream().filter(v -> !v.node().equals(node)).findFirst().orElseThrow().vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.nodeOffline(node, true);
        sim.stop(elsewhere);

        // the first minutes: the node's guests still show their last values, running ones as running
        assertThat(entriesOf(passes.listingNow(), onNode)).allSatisfy(e -> assertThat(e.path("status").asText())
                .isEqualTo(sim.vm(e.path("vmid").asInt()).orElseThrow().status()));
        assertThat(entriesOf(passes.listingNow(), onNode)).anySatisfy(e -> assertThat(e.path("status").asText())
                .isEqualTo("running"));
        SyncOutcome stale = passes.reconcile();

        assertThat(stale.result()).isEqualTo(OK);
        assertThat(stale.apply().orElseThrow().held()).isEqualTo(onNode.size());
        assertThat(stale.apply().orElseThrow().missing()).isZero();
        assertThat(VmsTable.only(table.snapshot(), onNode)).isEqualTo(VmsTable.only(before, onNode));
        assertThat(table.live(elsewhere).get("status")).isEqualTo("stopped");

        // five minutes later Proxmox has only "unknown" for them, without name or sizes
        simClock.advance(Duration.ofMinutes(6));
        assertThat(entriesOf(passes.listingNow(), onNode)).allSatisfy(e -> {
            assertThat(e.path("status").asText()).isEqualTo("unknown");
            assertThat(e.has("name")).isFalse();
            assertThat(e.has("maxmem")).isFalse();
        });
        SyncOutcome unknown = passes.reconcile();

        assertThat(unknown.result()).isEqualTo(OK);
        assertThat(unknown.apply().orElseThrow().held()).isEqualTo(onNode.size());
        assertThat(unknown.apply().orElseThrow().missing()).isZero();
        assertThat(VmsTable.only(table.snapshot(), onNode)).isEqualTo(VmsTable.only(before, onNode));

        sim.nodeOffline(node, false);
        assertThat(passes.reconcile().result()).isEqualTo(OK);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertThat(table.live(owned)).containsEntry("owner_id", owner).containsEntry("notes", "carol's mail server");
    }

    @Test
    void anEndpointThatLostQuorumIsAFailedEndpointAndTheNextOneIsBelieved() throws Exception {
        // endpoint 0 is the first node's: cut off, it still answers, showing both peers offline
        String cutOff = sim.nodes().get(0);
        Set<Integer> onCutOff = guestsOn(cutOff);
        int elsewhere = runningVms().stream().filter(v -> !v.node().equals(cutOff)).findFirst().orElseThrow().vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.isolate(cutOff, true);
        sim.stop(elsewhere);

        SyncOutcome outcome;
        try (Logs logs = new Logs(ProxmoxClient.class)) {
            outcome = passes.poll();
            assertThat(logs.at(Level.WARN)).anySatisfy(line -> assertThat(line)
                    .contains("cluster=lab endpoint=" + endpoint(0) + " - GET /cluster/resources failed (it is not"
                            + " quorate (it shows 2 of 3 nodes offline")
                    .contains("trying " + endpoint(1)));
        }

        // the quorate majority's view: the cut-off node's guests are held, the rest follow Proxmox
        assertThat(outcome.result()).as("%s", outcome.summary()).isEqualTo(OK);
        assertThat(outcome.apply().orElseThrow().held()).isEqualTo(onCutOff.size());
        assertThat(table.live(elsewhere).get("status")).isEqualTo("stopped");
        assertThat(VmsTable.only(table.snapshot(), onCutOff)).isEqualTo(VmsTable.only(before, onCutOff));
    }

    @Test
    void whenEveryEndpointLostQuorumThePassFailsAndNoRowChanges() throws Exception {
        int vmid = runningVms().get(0).vmid();
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.isolate(sim.nodes().get(0), true);
        sim.isolate(sim.nodes().get(1), true);
        sim.stop(vmid);

        SyncOutcome outcome = passes.poll();

        assertThat(outcome.result()).isEqualTo(FAILED);
        assertThat(outcome.problem().orElseThrow()).contains("all 2 endpoints failed for GET /cluster/resources")
                .contains("not quorate");
        assertThat(table.snapshot()).isEqualTo(before);

        sim.isolate(sim.nodes().get(0), false);
        sim.isolate(sim.nodes().get(1), false);
        assertThat(passes.poll().result()).isEqualTo(OK);
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
    }

    @Test
    void aReusedVmidGetsANewRowAndTheOldRowIsRetiredAsMissingWithItsOwner() throws Exception {
        int vmid = runningVms().get(0).vmid();
        int owner = table.giveToNewUser(vmid, "alice", "alice's build server");
        Map<String, Object> old = table.live(vmid);
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.reuseVmid(vmid);

        List<Map<String, Object>> rows = pollRetiringOneRowAndInsertingOne(vmid);

        Map<String, Object> retired = rows.get(0);
        assertThat(retired.get("id")).isEqualTo(old.get("id"));
        assertThat(retired.get("status")).isEqualTo("missing");
        assertThat(retired.get("retired_at")).isNotNull();
        // everything else as it was: the owner, the notes, and the old VM's own values
        assertThat(without(retired, "status", "retired_at", "updated_at", "xmin"))
                .isEqualTo(without(old, "status", "retired_at", "updated_at", "xmin"));
        assertThat(retired).containsEntry("owner_id", owner).containsEntry("notes", "alice's build server");
        Map<String, Object> fresh = rows.get(1);
        assertThat(fresh.get("owner_id")).isNull();
        assertThat(fresh.get("notes")).isNull();
        assertThat(fresh.get("retired_at")).isNull();
        assertThat(fresh.get("incarnation")).isNotNull().isNotEqualTo(old.get("incarnation"));
        assertThat(fresh.get("name")).isEqualTo(sim.vm(vmid).orElseThrow().name());
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    @Test
    void aVmidReusedUnderTheSameNameIsCaughtByThePollThatSeesItStopped() throws Exception {
        SimVm vm = runningVms().get(0);
        int vmid = vm.vmid();
        int owner = table.giveToNewUser(vmid, "carol", "carol's shop");
        Map<String, Object> old = table.live(vmid);
        Map<Integer, Map<String, Object>> before = table.snapshot();
        // deleted and created again between two polls under the very same name, not started yet:
        // the name tells nothing, the stop does, and the marker read because of it tells the rest
        sim.reuseVmid(vmid);
        sim.rename(vmid, vm.name());
        sim.stop(vmid);

        List<Map<String, Object>> rows = pollRetiringOneRowAndInsertingOne(vmid);

        assertThat(rows.get(0)).containsEntry("id", old.get("id")).containsEntry("status", "missing")
                .containsEntry("owner_id", owner).containsEntry("notes", "carol's shop")
                .containsEntry("incarnation", old.get("incarnation"));
        assertThat(rows.get(1)).containsEntry("name", vm.name()).containsEntry("status", "stopped")
                .containsEntry("owner_id", null).containsEntry("notes", null);
        assertThat(rows.get(1).get("incarnation")).isNotNull().isNotEqualTo(old.get("incarnation"));
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    /** Polls, expecting one row retired and one inserted; the two rows of {@code vmid}, oldest first. */
    private List<Map<String, Object>> pollRetiringOneRowAndInsertingOne(int vmid) throws Exception {
        SyncOutcome outcome = passes.poll();

        assertThat(outcome.result()).isEqualTo(OK);
        assertThat(outcome.apply().orElseThrow().inserted()).isEqualTo(1);
        assertThat(outcome.apply().orElseThrow().missing()).isEqualTo(1);
        List<Map<String, Object>> rows = table.rowsOf(vmid);
        assertThat(rows).hasSize(2);
        return rows;
    }

    @ParameterizedTest(name = "stale entry listed first: {0}")
    @ValueSource(booleans = {true, false})
    void aVmListedUnderTwoNodesMidMigrationKeepsOneRowWhichEndsOnTheTarget(boolean staleFirst) throws Exception {
        SimVm vm = runningVms().get(0);
        int vmid = vm.vmid();
        String source = vm.node();
        String target = otherNode(source);
        int owner = table.giveToNewUser(vmid, "bob", "bob's database");
        Object id = table.live(vmid).get("id");
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.migrate(vmid, target);
        // mid-move: the guest is listed under its old node as well as under the new one
        passes.listing.nextListing(list -> {
            int at = indexOf(list, vmid);
            ObjectNode stale = ((ObjectNode) list.get(at).deepCopy()).put("node", source);
            list.insert(staleFirst ? at : at + 1, stale);
            return list;
        });

        SyncOutcome during;
        try (Logs logs = new Logs(ResourceMapper.class)) {
            during = passes.poll();
            assertThat(logs.at(Level.WARN)).containsExactly("cluster=lab vmid=" + vmid
                    + " - listed twice in one /cluster/resources answer; the first entry is used");
        }

        assertThat(during.result()).isEqualTo(OK);
        assertThat(table.rowsOf(vmid)).singleElement().satisfies(row -> {
            assertThat(row.get("id")).isEqualTo(id);
            assertThat(row.get("proxmox_node")).isEqualTo(staleFirst ? source : target);
            assertThat(row).containsEntry("owner_id", owner).containsEntry("notes", "bob's database");
        });
        assertUntouchedExcept(before, vmid);

        SyncOutcome after = passes.poll();

        assertThat(after.result()).isEqualTo(OK);
        assertThat(table.rowsOf(vmid)).singleElement().satisfies(row -> {
            assertThat(row.get("id")).isEqualTo(id);
            assertThat(row.get("proxmox_node")).isEqualTo(target);
            assertThat(row).containsEntry("owner_id", owner).containsEntry("notes", "bob's database");
        });
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    @Test
    void aVmListedUnderNoNodeMidMigrationMayBeMissingForOnePassAndComesBackWithItsOwner() throws Exception {
        SimVm vm = runningVms().get(0);
        int vmid = vm.vmid();
        String target = otherNode(vm.node());
        int owner = table.giveToNewUser(vmid, "dave", "dave's web shop");
        Object id = table.live(vmid).get("id");
        Map<Integer, Map<String, Object>> before = table.snapshot();
        sim.migrate(vmid, target);
        // mid-move: the listing was read while the guest belonged to neither node
        passes.listing.nextListing(list -> {
            list.remove(indexOf(list, vmid));
            return list;
        });

        SyncOutcome during = passes.poll();

        assertThat(during.result()).isEqualTo(OK);
        assertThat(during.apply().orElseThrow().missing()).isEqualTo(1);
        assertThat(table.rowsOf(vmid)).singleElement().satisfies(row -> {
            assertThat(row.get("id")).isEqualTo(id);
            assertThat(row.get("status")).isEqualTo("missing");
            assertThat(row.get("retired_at")).isNull();
            assertThat(row).containsEntry("owner_id", owner).containsEntry("notes", "dave's web shop");
        });
        assertUntouchedExcept(before, vmid);

        SyncOutcome after = passes.poll();

        assertThat(after.result()).isEqualTo(OK);
        assertThat(after.apply().orElseThrow().updated()).isEqualTo(1);
        assertThat(table.rowsOf(vmid)).singleElement().satisfies(row -> {
            assertThat(row.get("id")).isEqualTo(id);
            assertThat(row.get("status")).isEqualTo("running");
            assertThat(row.get("proxmox_node")).isEqualTo(target);
            assertThat(row).containsEntry("owner_id", owner).containsEntry("notes", "dave's web shop");
        });
        assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        assertUntouchedExcept(before, vmid);
    }

    // ---- helpers ----

    private List<SimVm> runningVms() {
        return sim.vms().stream().filter(v -> !v.template() && v.status().equals("running")).toList();
    }

    private String nodeWithRunningVms() {
        return runningVms().stream().collect(Collectors.groupingBy(SimVm::node, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private Set<Integer> guestsOn(String node) {
        return sim.vms().stream().filter(v -> !v.template() && v.node().equals(node)).map(SimVm::vmid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private String otherNode(String node) {
        return sim.nodes().stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
    }

    private String endpoint(int index) {
        URI uri = sim.endpoints().get(index);
        return uri.toString();
    }

    private static int indexOf(ArrayNode list, int vmid) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path("vmid").asInt() == vmid && list.get(i).has("type")
                    && !list.get(i).path("type").asText().equals("node")) {
                return i;
            }
        }
        throw new AssertionError("vmid " + vmid + " is not in the listing");
    }

    private static List<JsonNode> entriesOf(JsonNode listing, Set<Integer> vmids) {
        List<JsonNode> out = new ArrayList<>();
        listing.forEach(e -> {
            if (e.has("vmid") && vmids.contains(e.path("vmid").asInt())) {
                out.add(e);
            }
        });
        assertThat(out).hasSameSizeAs(vmids);
        return out;
    }


    private static int idOf(Map<Integer, Map<String, Object>> rows, int vmid) {
        return rows.values().stream().filter(r -> r.get("vmid").equals(vmid)).map(r -> (Integer) r.get("id"))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> without(Map<String, Object> row, String... columns) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        Arrays.asList(columns).forEach(copy::remove);
        return copy;
    }

    /** Every row of another VMID is exactly as before (xmin included), and none appeared or vanished. */
    private void assertUntouchedExcept(Map<Integer, Map<String, Object>> before, int vmid) throws Exception {
        assertThat(VmsTable.except(table.snapshot(), vmid)).isEqualTo(VmsTable.except(before, vmid));
    }
}
