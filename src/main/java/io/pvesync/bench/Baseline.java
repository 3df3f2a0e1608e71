package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.inventory.StatusMapping;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ApiCall.Scope;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.store.RlsContext;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The naive method the benchmark compares pvesync with, as the per-node pollers do it: list the
 * nodes, list each node's VMs ({@code /nodes/{node}/qemu}), one {@code status/current} request per
 * VM (plus its guest agent when addresses are refreshed), then one upsert per row, every row,
 * every cycle. It gets every advantage pvesync has that is not the method itself: the same HTTP
 * client (keep-alive, TLS), the same per-node concurrency (2 requests in flight per node, nodes in
 * parallel), one transaction per pass and a prepared statement reused for every row.
 */
final class Baseline implements AutoCloseable {
    static final String CLUSTER = "baseline";

    private static final String UPSERT = "INSERT INTO public.vms (vmid, name, ip_address, status, cpu_cores,"
            + " memory_mb, disk_gb, proxmox_node, proxmox_cluster, last_seen_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())"
            + " ON CONFLICT (proxmox_cluster, vmid) WHERE proxmox_cluster IS NOT NULL AND retired_at IS NULL"
            + " DO UPDATE SET name = EXCLUDED.name, ip_address = COALESCE(EXCLUDED.ip_address, vms.ip_address),"
            + " status = EXCLUDED.status, cpu_cores = EXCLUDED.cpu_cores, memory_mb = EXCLUDED.memory_mb,"
            + " disk_gb = EXCLUDED.disk_gb, proxmox_node = EXCLUDED.proxmox_node, updated_at = now(),"
            + " last_seen_at = now()";

    private static final String MISSING = "UPDATE public.vms SET status = 'missing', updated_at = now()"
            + " WHERE proxmox_cluster = ? AND retired_at IS NULL AND status <> 'missing'"
            + " AND NOT (vmid = ANY(?::int[]))";

    private final ProxmoxApi api;
    private final DataSource ds;
    private final int perNode;
    private final ExecutorService executor;

    Baseline(ProxmoxApi api, DataSource ds, int nodes, int perNode) {
        this.api = api;
        this.ds = ds;
        this.perNode = perNode;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(nodes * perNode, task -> {
            Thread t = new Thread(task, "baseline-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private record Row(int vmid, String name, String status, int cpus, int memoryMb, int diskGb, String node, String ip) {
    }

    /** One cycle; returns the number of rows upserted. */
    int pass(boolean addresses) throws ProxmoxException, SQLException, InterruptedException, ExecutionException {
        List<String> online = new ArrayList<>();
        for (JsonNode node : api.get(new ApiCall("nodes", "/nodes", Scope.CLUSTER))) {
            if ("online".equals(node.path("status").asText())) {
                online.add(node.path("node").asText());
            }
        }
        List<Future<JsonNode>> lists = new ArrayList<>();
        for (String node : online) {
            lists.add(executor.submit(() -> api.get(new ApiCall("nodes/qemu", "/nodes/" + node + "/qemu", Scope.GUEST))));
        }
        List<Queue<JsonNode[]>> work = new ArrayList<>();
        for (int i = 0; i < online.size(); i++) {
            Queue<JsonNode[]> queue = new ConcurrentLinkedQueue<>();
            for (JsonNode vm : lists.get(i).get()) {
                if (vm.path("template").asInt() != 1) {
                    queue.add(new JsonNode[] {vm, new com.fasterxml.jackson.databind.node.TextNode(online.get(i))});
                }
            }
            work.add(queue);
        }
        Queue<Row> rows = new ConcurrentLinkedQueue<>();
        List<Future<?>> running = new ArrayList<>();
        for (Queue<JsonNode[]> queue : work) {
            for (int i = 0; i < perNode; i++) {
                running.add(executor.submit(() -> {
                    JsonNode[] item;
                    while ((item = queue.poll()) != null) {
                        rows.add(detail(item[0], item[1].asText(), addresses));
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : running) {
            f.get();
        }
        write(new ArrayList<>(rows));
        return rows.size();
    }

    private Row detail(JsonNode listed, String node, boolean addresses) throws ProxmoxException {
        int vmid = listed.path("vmid").asInt();
        String base = "/nodes/" + node + "/qemu/" + vmid;
        JsonNode status = api.get(new ApiCall("qemu/status", base + "/status/current", Scope.GUEST));
        String word = status.path("qmpstatus").asText(status.path("status").asText("unknown"));
        String lock = status.hasNonNull("lock") ? status.get("lock").asText() : null;
        String ip = null;
        if (addresses && "running".equals(word) && status.path("agent").asInt() == 1) {
            try {
                ip = firstIpv4(api.get(new ApiCall("qemu/agent", base + "/agent/network-get-interfaces", Scope.GUEST)));
            } catch (ProxmoxException e) {
                // agent not running: no address this cycle
            }
        }
        return new Row(vmid, status.path("name").asText("VM " + vmid), StatusMapping.of(word, lock).column(),
                status.path("cpus").asInt(), (int) (status.path("maxmem").asLong() >> 20),
                (int) (status.path("maxdisk").asLong() >> 30), node, ip);
    }

    private static String firstIpv4(JsonNode answer) {
        for (JsonNode nic : answer.path("result")) {
            for (JsonNode ip : nic.path("ip-addresses")) {
                String address = ip.path("ip-address").asText("");
                if ("ipv4".equals(ip.path("ip-address-type").asText()) && !address.startsWith("127.")) {
                    return address;
                }
            }
        }
        return null;
    }

    private void write(List<Row> rows) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            RlsContext.admin(c);
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (Row r : rows) {
                    ps.setInt(1, r.vmid());
                    ps.setString(2, r.name());
                    ps.setString(3, r.ip());
                    ps.setString(4, r.status());
                    ps.setInt(5, r.cpus());
                    ps.setInt(6, r.memoryMb());
                    ps.setInt(7, r.diskGb());
                    ps.setString(8, r.node());
                    ps.setString(9, CLUSTER);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(MISSING)) {
                ps.setString(1, CLUSTER);
                Array seen = c.createArrayOf("int4", rows.stream().map(Row::vmid).toArray(Integer[]::new));
                ps.setArray(2, seen);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
