package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.sim.SimVm.Kind;
import io.pvesync.sim.Timing.Spread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timing model's structure: workers per node, queues, a listing's cost per row, the silent
 * agent's hold on a worker. Only lower bounds on times (a call cannot answer before its workers
 * let it) and orderings with hundreds of milliseconds of margin: nothing depends on a fast machine.
 */
class SimulatorTimingTest {

    private static final Duration SERVICE = Duration.ofMillis(300);
    private static final long SERVICE_MS = SERVICE.toMillis();

    private final ExecutorService clients = Executors.newFixedThreadPool(10);

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    /** When each call, sent at the same moment, was answered: milliseconds after the start. */
    private record Done(String path, int status, long afterMs) {
    }

    @Test
    void callsBeyondANodesPvedaemonWorkersWaitWhileAnotherNodeAnswersAtOnce() throws Exception {
        Timing timing = Timing.none().withWorkers(3, 2).withStatus(Spread.fixed(SERVICE), Spread.fixed(SERVICE));
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(30).containers(0).templates(0).seed(5)
                .timing(timing).start()) {
            List<String> first = statusPaths(sim, "pve1", 6);
            List<String> second = statusPaths(sim, "pve2", 2);
            List<String> all = new ArrayList<>(first);
            all.addAll(second);

            List<Done> done = atOnce(sim, all);

            assertThat(done).allMatch(d -> d.status() == 200);
            // 6 calls, 2 workers, 300 ms each: three waves, the last not before 900 ms
            List<Long> firstNode = done.subList(0, 6).stream().map(Done::afterMs).sorted().toList();
            assertThat(firstNode.get(2)).isGreaterThanOrEqualTo(2 * SERVICE_MS);
            assertThat(firstNode.get(4)).isGreaterThanOrEqualTo(3 * SERVICE_MS);
            assertThat(firstNode.get(5)).isGreaterThanOrEqualTo(3 * SERVICE_MS);
            // pve2's own 2 workers take its calls in the first wave, ahead of pve1's third
            long secondNodeLast = Math.max(done.get(6).afterMs(), done.get(7).afterMs());
            assertThat(secondNodeLast).isGreaterThanOrEqualTo(SERVICE_MS).isLessThan(firstNode.get(5));
        }
    }

    @Test
    void aConfigIsReadInThePveproxyOfTheGuestsNodeNotOfTheNodeAsked() throws Exception {
        Timing timing = Timing.none().withWorkers(1, 3).withConfig(Spread.fixed(SERVICE));
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(20).containers(0).templates(0).seed(5)
                .timing(timing).start()) {
            List<String> paths = guests(sim, "pve2", 3).stream()
                    .map(vm -> "/nodes/pve2/qemu/" + vm.vmid() + "/config").toList();

            List<Done> done = atOnce(sim, paths);

            // pve2's one pveproxy worker reads them one after the other
            List<Long> times = done.stream().map(Done::afterMs).sorted().toList();
            assertThat(times.get(2)).isGreaterThanOrEqualTo(3 * SERVICE_MS);
            // while pve1's one worker, the one asked, only forwarded them: its own handlers answer meanwhile
            long started = System.nanoTime();
            Future<?> queued = clients.submit(() -> atOnce(sim, paths));
            Thread.sleep(50);
            assertThat(SimHarness.get(sim, "/version").status()).isEqualTo(200);
            long versionMs = (System.nanoTime() - started) / 1_000_000;
            queued.get();
            long allMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(versionMs).isLessThan(allMs - SERVICE_MS);
        }
    }

    @Test
    void theListingTakesLongerWithEveryRow() {
        Duration perRow = Duration.ofMillis(2);
        Timing timing = Timing.none().withResources(Duration.ZERO, perRow, 1);
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(200).containers(0).templates(0).seed(5)
                .timing(timing).start()) {
            long small = timed(() -> SimHarness.get(sim, "/cluster/resources?type=node"));
            long large = timed(() -> SimHarness.get(sim, "/cluster/resources"));

            int rows = 200 + 2 + 2 * 3; // the model's rows: guests, nodes, storages (sdn zones not counted)
            assertThat(small).isGreaterThanOrEqualTo(2 * perRow.toMillis());
            assertThat(large).isGreaterThanOrEqualTo(rows * perRow.toMillis());
        }
    }

    @Test
    void aSilentAgentHoldsAPvedaemonWorkerForItsTimeoutAndClosesTheConnection() throws Exception {
        Timing oneWorker = Timing.none().withWorkers(3, 1).withAgent(Spread.ZERO, SERVICE, SERVICE);
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(1).vms(6).containers(0).templates(0).seed(5)
                .timing(oneWorker).start()) {
            List<SimVm> two = runningWithAgents(sim);
            String silent = agentPath(two.get(0));
            String answering = agentPath(two.get(1));

            long started = System.nanoTime();
            Future<Done> down = clients.submit(() -> call(sim, silent, started));
            Thread.sleep(50); // the silent agent's call holds the one worker now
            Done up = call(sim, answering, started);
            Done failed = down.get();

            assertThat(failed.status()).isEqualTo(500);
            assertThat(failed.afterMs()).isGreaterThanOrEqualTo(SERVICE_MS);
            assertThat(SimHarness.get(sim, silent).reason()).isEqualTo("QEMU guest agent is not running");
            // the answering agent waited for the worker the silent one held
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.afterMs()).isGreaterThanOrEqualTo(SERVICE_MS);

            // an error answer closes the connection: the next request on the same client connects again
            OkHttpClient pooled = new OkHttpClient.Builder().build();
            int before = sim.connectionCount();
            fetch(pooled, sim, "/version");
            fetch(pooled, sim, "/version");
            assertThat(sim.connectionCount() - before).isEqualTo(1);
            fetch(pooled, sim, silent);
            fetch(pooled, sim, "/version");
            assertThat(sim.connectionCount() - before).isEqualTo(2);
        }
    }

    @Test
    void anAnsweringAgentIsNotHeldUpByASilentOneWhenAWorkerIsFree() throws Exception {
        Timing twoWorkers = Timing.none().withWorkers(3, 2).withAgent(Spread.ZERO, SERVICE, SERVICE);
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(1).vms(6).containers(0).templates(0).seed(5)
                .timing(twoWorkers).start()) {
            List<SimVm> two = runningWithAgents(sim);

            List<Done> done = atOnce(sim, List.of(agentPath(two.get(0)), agentPath(two.get(1))));

            assertThat(done.get(0).status()).isEqualTo(500);
            assertThat(done.get(0).afterMs()).isGreaterThanOrEqualTo(SERVICE_MS);
            assertThat(done.get(1).status()).isEqualTo(200);
            assertThat(done.get(1).afterMs()).isLessThan(done.get(0).afterMs());
        }
    }

    @Test
    void aLogNormalSpreadHasItsMedianAndP95() {
        Spread spread = Spread.millis(30, 300);
        assertThat(spread.nanos(0)).isEqualTo(30_000_000L);
        assertThat(spread.nanos(1.6448536)).isBetween(299_000_000L, 301_000_000L);
        assertThat(spread.nanos(10)).isEqualTo(3_000_000_000L); // never beyond 10x the p95
        assertThat(Spread.fixed(SERVICE).nanos(3)).isEqualTo(SERVICE.toNanos());
    }

    // ---- helpers ----

    /** Two running QEMU VMs: the first's agent set silent, the second's answering. */
    private static List<SimVm> runningWithAgents(ProxmoxSimulator sim) {
        List<SimVm> two = sim.vms().stream().filter(vm -> vm.kind() == Kind.QEMU && !vm.template()).limit(2).toList();
        assertThat(two).hasSize(2);
        for (SimVm vm : two) {
            sim.start(vm.vmid());
        }
        sim.setAgent(two.get(0).vmid(), AgentState.NOT_RUNNING);
        sim.setAgent(two.get(1).vmid(), AgentState.RUNNING);
        return two;
    }

    private static String agentPath(SimVm vm) {
        return "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";
    }

    private static List<SimVm> guests(ProxmoxSimulator sim, String node, int count) {
        List<SimVm> found = sim.vms().stream().filter(vm -> vm.kind() == Kind.QEMU && vm.node().equals(node))
                .limit(count).toList();
        assertThat(found).as("QEMU guests on " + node).hasSize(count);
        return found;
    }

    private static List<String> statusPaths(ProxmoxSimulator sim, String node, int count) {
        return guests(sim, node, count).stream().map(vm -> "/nodes/" + node + "/qemu/" + vm.vmid() + "/status/current")
                .toList();
    }

    /** Sends every path at once, each on its own connection; answers in the order of the paths. */
    private List<Done> atOnce(ProxmoxSimulator sim, List<String> paths) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Done>> futures = new ArrayList<>();
        long[] started = new long[1];
        for (String path : paths) {
            Callable<Done> task = () -> {
                go.await();
                return call(sim, path, started[0]);
            };
            futures.add(clients.submit(task));
        }
        started[0] = System.nanoTime();
        go.countDown();
        List<Done> done = new ArrayList<>();
        for (Future<Done> future : futures) {
            done.add(future.get());
        }
        return done;
    }

    private static Done call(ProxmoxSimulator sim, String path, long started) {
        int status = SimHarness.get(sim, path).status();
        return new Done(path, status, (System.nanoTime() - started) / 1_000_000);
    }

    private static long timed(Runnable call) {
        long started = System.nanoTime();
        call.run();
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static void fetch(OkHttpClient client, ProxmoxSimulator sim, String path) {
        Request request = new Request.Builder().url(sim.endpoints().get(0) + "/api2/json" + path)
                .header("Authorization", SimHarness.AUTHORIZATION).build();
        try (Response response = client.newCall(request).execute()) {
            response.body().string();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
