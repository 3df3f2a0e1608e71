package io.pvesync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.Timing;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated clusters of a fleet benchmark, in a JVM of their own (started by
 * {@link FleetWorker}): a hundred simulators answering in Proxmox's time cost CPU and heap that
 * must not count as pvesync's. Each cluster is one simulator over HTTPS with its own CA.
 *
 * <p>Arguments: {@code --clusters N --vms N --nodes N --dir DIR}. Writes {@code DIR/ca-<i>.pem}
 * and {@code DIR/fleet.json} (each cluster's name, endpoints and CA file), then prints
 * {@code READY}. Then reads commands on stdin, one a line: {@code counts} answers
 * {@code COUNTS <connections accepted> <requests>} (sums over every simulator, since start);
 * end of input closes everything.
 */
public final class FleetSimulators {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FleetSimulators() {
    }

    public static void main(String[] argv) throws Exception {
        FleetArgs args = FleetArgs.parse(argv);
        int clusters = args.integer("--clusters");
        int vms = args.integer("--vms");
        int nodes = args.integer("--nodes");
        Path dir = Path.of(args.text("--dir"));
        List<ProxmoxSimulator> sims = new ArrayList<>();
        try {
            ArrayNode manifest = JSON.createArrayNode();
            for (int i = 0; i < clusters; i++) {
                ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(nodes).vms(vms).containers(0).templates(0)
                        .seed(7 + i).tls(true).minGuests(0).clusterName("fleet" + i).timing(Timing.realistic())
                        .start();
                sims.add(sim);
                Path ca = dir.resolve("ca-" + i + ".pem");
                Files.writeString(ca, sim.caCertificatePem());
                ObjectNode entry = manifest.addObject();
                entry.put("name", FleetWorker.clusterName(i));
                entry.put("ca", ca.toString());
                ArrayNode endpoints = entry.putArray("endpoints");
                sim.endpoints().forEach(u -> endpoints.add(u.toString()));
            }
            Files.writeString(dir.resolve("fleet.json"), JSON.writeValueAsString(manifest));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals("counts")) {
                    long connections = sims.stream().mapToLong(ProxmoxSimulator::connectionCount).sum();
                    long requests = sims.stream().mapToLong(ProxmoxSimulator::requestCount).sum();
                    System.out.println("COUNTS " + connections + " " + requests);
                    System.out.flush();
                }
            }
        } finally {
            sims.forEach(ProxmoxSimulator::close);
        }
        System.exit(0);
    }
}
