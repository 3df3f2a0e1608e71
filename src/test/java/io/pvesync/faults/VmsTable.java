package io.pvesync.faults;

import io.pvesync.inventory.StatusMapping;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.testing.OwnerSql;
import io.pvesync.testing.TestDatabase;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code public.vms} through the owner's eyes (past row-level security): every column of every row
 * plus its {@code xmin}, the id of the transaction that wrote the row's current version. Any
 * UPDATE, even one writing equal values, changes it, so equal snapshots prove nothing was written.
 */
final class VmsTable {
    private final OwnerSql owner;

    VmsTable(TestDatabase db) {
        this.owner = new OwnerSql(db);
    }

    /** Every row by id: each column by name, and {@code xmin}. */
    Map<Integer, Map<String, Object>> snapshot() throws SQLException {
        Map<Integer, Map<String, Object>> rows = new TreeMap<>();
        for (Map<String, Object> row : query("SELECT xmin::text AS xmin, * FROM public.vms ORDER BY id")) {
            rows.put((Integer) row.get("id"), row);
        }
        return rows;
    }

    /** {@code rows} without those of the given VMIDs: what a fault on other VMs must leave exactly as it was. */
    static Map<Integer, Map<String, Object>> except(Map<Integer, Map<String, Object>> rows, Integer... vmids) {
        List<Integer> left = List.of(vmids);
        Map<Integer, Map<String, Object>> out = new TreeMap<>();
        rows.forEach((id, row) -> {
            if (!left.contains((Integer) row.get("vmid"))) {
                out.put(id, row);
            }
        });
        return out;
    }

    /** {@code rows} of the given VMIDs only. */
    static Map<Integer, Map<String, Object>> only(Map<Integer, Map<String, Object>> rows, Collection<Integer> vmids) {
        Map<Integer, Map<String, Object>> out = new TreeMap<>();
        rows.forEach((id, row) -> {
            if (vmids.contains((Integer) row.get("vmid"))) {
                out.put(id, row);
            }
        });
        return out;
    }

    /** The rows of {@code vmid}, retired ones included, oldest first. */
    List<Map<String, Object>> rowsOf(int vmid) throws SQLException {
        return query("SELECT xmin::text AS xmin, * FROM public.vms WHERE vmid = ? ORDER BY id", vmid);
    }

    /** The one row of {@code vmid} that is not retired. */
    Map<String, Object> live(int vmid) throws SQLException {
        List<Map<String, Object>> rows = query("SELECT xmin::text AS xmin, * FROM public.vms WHERE vmid = ?"
                + " AND retired_at IS NULL", vmid);
        if (rows.size() != 1) {
            throw new AssertionError("expected one live row of vmid " + vmid + ", found " + rows);
        }
        return rows.get(0);
    }

    /**
     * The synced state of every live VM that is not missing, as "name status cores memory disk node ip"
     * by vmid: the form {@link #truth} gives for the simulator.
     */
    Map<Integer, String> synced() throws SQLException {
        Map<Integer, String> out = new TreeMap<>();
        for (Map<String, Object> r : query("SELECT * FROM public.vms WHERE retired_at IS NULL AND status <> 'missing'")) {
            out.put((Integer) r.get("vmid"), String.join(" ", String.valueOf(r.get("name")), String.valueOf(r.get("status")),
                    String.valueOf(r.get("cpu_cores")), String.valueOf(r.get("memory_mb")),
                    String.valueOf(r.get("disk_gb")), String.valueOf(r.get("proxmox_node")),
                    String.valueOf(r.get("ip_address"))));
        }
        return out;
    }

    /** What {@link #synced} must show for the simulator's guests (QEMU VMs that are not templates). */
    static Map<Integer, String> truth(ProxmoxSimulator sim) {
        Map<Integer, String> out = new TreeMap<>();
        for (SimVm vm : sim.vms()) {
            if (!vm.template() && vm.kind() == SimVm.Kind.QEMU) {
                out.put(vm.vmid(), String.join(" ", vm.name(), StatusMapping.of(vm.status(), vm.lock()).column(),
                        Integer.toString(vm.cores()), Integer.toString(vm.memoryMb()), Integer.toString(vm.diskGb()),
                        vm.node(), String.valueOf(vm.ipAddress())));
            }
        }
        return out;
    }

    /** Empties the table (the class's database is shared by its tests). */
    void truncate() throws SQLException {
        owner.update("TRUNCATE public.vms, public.users, public.vm_changes, pvesync.cluster_state RESTART IDENTITY");
    }

    /** What the application does when it sells a VM: an owner and notes on the row. */
    int giveToNewUser(int vmid, String username, String notes) throws SQLException {
        int user = (Integer) query("INSERT INTO public.users (username) VALUES (?) RETURNING id", username).get(0).get("id");
        int rows = update("UPDATE public.vms SET owner_id = ?, notes = ? WHERE vmid = ? AND retired_at IS NULL",
                user, notes, vmid);
        if (rows != 1) {
            throw new AssertionError("vmid " + vmid + " has " + rows + " live rows");
        }
        return user;
    }

    int update(String sql, Object... params) throws SQLException {
        return owner.update(sql, params);
    }

    List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
        return owner.query(sql, params);
    }
}
