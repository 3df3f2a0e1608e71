package io.pvesync.cli;

import static io.pvesync.testing.CommandRun.pvesync;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.CommandRun;
import io.pvesync.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many VMs really deleted at once trip the mass-disappearance guard on every pass: the operator
 * who confirmed the deletions marks them with {@code pvesync sync --accept-missing}, once; the
 * passes after it are healthy again.
 */
class SyncAcceptMissingTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    private ProxmoxSimulator sim;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** vmid to status of the cluster's live rows. */
    private static Map<Integer, String> statuses() throws Exception {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT vmid, status FROM public.vms WHERE proxmox_cluster = 'lab'"
                     + " AND retired_at IS NULL")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getString(2));
            }
        }
        return rows;
    }

    @Test
    void aMassDeletionIsMarkedOnlyWhenTheOperatorAcceptsIt() throws Exception {
        sim = ProxmoxSimulator.builder().nodes(2).vms(12).containers(0).templates(0).seed(31)
                .authFailureDelay(Duration.ofMillis(10)).start();
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.load(dir);
        String config = dir.resolve("pvesync.yaml").toString();
        assertThat(pvesync("sync", "--config", config).exit()).isEqualTo(ExitCode.OK);
        List<Integer> deleted = sim.vms().stream().limit(6).map(SimVm::vmid).toList();
        deleted.forEach(sim::delete);

        // 6 of 12 is past the default guard (10%, at least 5): nothing is marked, and it says how
        CommandRun guarded = pvesync("sync", "--config", config);

        assertThat(guarded.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(guarded.out()).contains("6 of 12 known VMs absent from the listing (limit 5)",
                "nothing was marked missing (if they were really deleted: pvesync sync --config FILE --cluster lab"
                        + " --accept-missing, after a look with --dry-run)");
        assertThat(statuses()).doesNotContainValue("missing");

        CommandRun dryRun = pvesync("sync", "--config", config, "--accept-missing", "--dry-run");

        assertThat(dryRun.exit()).isEqualTo(ExitCode.OK);
        assertThat(dryRun.out()).startsWith("--accept-missing: every VM absent from the listing would be marked missing,"
                + " and every row whose VMID now names another VM retired, however many").contains("6 missing");
        assertThat(statuses()).doesNotContainValue("missing");

        CommandRun accepted = pvesync("sync", "--config", config, "--accept-missing");

        assertThat(accepted.exit()).as(accepted.out() + accepted.err()).isEqualTo(ExitCode.OK);
        assertThat(accepted.out()).startsWith("--accept-missing: every VM absent from the listing is marked missing,"
                + " and every row whose VMID now names another VM retired, however many").contains("6 missing");
        Map<Integer, String> after = statuses();
        assertThat(after).hasSize(12);
        deleted.forEach(vmid -> assertThat(after).containsEntry(vmid, "missing"));
        assertThat(after.values().stream().filter("missing"::equals)).hasSize(6);

        // the guard is on again for the next pass, which has nothing left to spare
        CommandRun next = pvesync("sync", "--config", config);
        assertThat(next.exit()).isEqualTo(ExitCode.OK);
        assertThat(next.out()).contains("0 missing").doesNotContain("absent from the listing");
    }
}
