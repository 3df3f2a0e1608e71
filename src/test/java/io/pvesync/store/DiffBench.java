package io.pvesync.store;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The diff: {@link ChangePlanner} against a cluster's stored rows, for a snapshot equal to them
 * and for one with 10% of the VMs changed (status, size or node), plus the rows kept between
 * passes rebuilt after the 10% were written ({@link LastWritten#after}). Run: see BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DiffBench {
    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of(),
            new MissingPolicy(Duration.ofMinutes(10), 0.10, 5));
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"10000", "50000"})
    public int vms;

    private List<StoredRow> rows;
    private Map<Integer, Long> xmins;
    private Snapshot same;
    private Snapshot changed;
    private List<Integer> changedIds;
    private List<StoredRow> readBack;

    @Setup
    public void build() {
        Map<String, NodeState> nodes = new HashMap<>();
        for (int n = 1; n <= 20; n++) {
            nodes.put("pve" + n, NodeState.ONLINE);
        }
        rows = new ArrayList<>();
        xmins = new HashMap<>();
        List<ObservedVm> seen = new ArrayList<>();
        List<ObservedVm> moved = new ArrayList<>();
        changedIds = new ArrayList<>();
        readBack = new ArrayList<>();
        for (int i = 0; i < vms; i++) {
            int vmid = 100 + i;
            String node = "pve" + (i % 20 + 1);
            ObservedVm vm = new ObservedVm(vmid, VmKind.QEMU, node, "vm-" + vmid, VmStatus.RUNNING, 2, 4096, 32, null, null);
            RowValues stored = new RowValues(vmid, vm.name(), "10.0." + (i / 250) + "." + (i % 250), "running", 2, 4096,
                    32, node, Long.toString(1_700_000_000L + i));
            StoredRow row = new StoredRow(i + 1, "bench", NOW.minusSeconds(86_400), stored);
            rows.add(row);
            xmins.put(row.id(), 1000L + i);
            seen.add(vm);
            if (i % 10 == 0) {
                ObservedVm other = new ObservedVm(vmid, VmKind.QEMU, "pve" + ((i + 1) % 20 + 1), vm.name(),
                        VmStatus.STOPPED, 4, 8192, 32, null, null);
                moved.add(other);
                changedIds.add(row.id());
                readBack.add(new StoredRow(row.id(), "bench", row.createdAt(), stored.overwrittenBy(
                        ColumnLimits.fit(other, new ArrayList<>()))));
                xmins.put(row.id(), 99_999L);
            } else {
                moved.add(vm);
            }
        }
        same = new Snapshot("bench", NOW, seen, nodes, Map.of(), 0);
        changed = new Snapshot("bench", NOW, moved, nodes, Map.of(), 0);
    }

    @Benchmark
    public ChangePlan unchanged() {
        return ChangePlanner.plan(same, POLL, rows, NOW);
    }

    @Benchmark
    public ChangePlan tenPercentChanged() {
        return ChangePlanner.plan(changed, POLL, rows, NOW);
    }

    @Benchmark
    public LastWritten keptRowsAfterTenPercentWritten() {
        return LastWritten.after(rows, "bench", changedIds, readBack, xmins);
    }
}
