package io.pvesync.testing;

import io.pvesync.config.ConfigException;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The config file a test starts the whole daemon from, as an operator would write it: one cluster
 * {@value #CLUSTER} on every endpoint of the simulator, over HTTPS with the simulator's CA file, the
 * test database as the daemon's role, a poll every second, no grace for missing VMs and the status
 * endpoint on a free loopback port. {@link #addCluster} adds more clusters, each on a simulator of
 * its own with the same settings.
 *
 * <p>A test sets the fields it needs otherwise, then {@link #load}s the file. They are plain fields,
 * not a builder, because a test sets two or three of them and each is one key of the file; an
 * optional key is written only when its field is set, so the daemon's own default applies
 * otherwise. Durations are as written in the file ({@code 2s}, {@code 5m}).
 */
public final class DaemonConfigFile {
    /** The name of the one cluster. */
    public static final String CLUSTER = "lab";

    /** The JDBC URL the daemon connects to: the test database's, or a proxy of it. */
    public String databaseUrl;
    /** The secret the daemon presents: the simulator's, or a wrong one. */
    public String tokenSecret = SimulatorBuilder.DEFAULT_TOKEN_SECRET;
    public boolean includeContainers;
    public String readTimeout = "2s";
    /** {@code addresses.timeout}; left out when null. */
    public String addressTimeout;
    /** The mass-disappearance guard, {@code missing.max-share} ({@code 30%}) and {@code min-count}; left out when null. */
    public String missingMaxShare;
    public int missingMinCount;
    /** {@code missing.grace} of every cluster. */
    public String missingGrace = "0s";
    /** {@code schedule.reconcile}, a Quartz cron expression; left out when null. */
    public String reconcile;
    /** {@code schedule.clustered}; left out when null. */
    public Boolean clustered;
    public String staleAfter = "5m";
    public String poll = "1s";

    private final ProxmoxSimulator sim;
    private final TestDatabase db;
    private final Map<String, ProxmoxSimulator> more = new LinkedHashMap<>();

    /** The file for {@code sim}'s cluster, the daemon writing to {@code db} as its daemon role. */
    public DaemonConfigFile(ProxmoxSimulator sim, TestDatabase db) {
        this.sim = sim;
        this.db = db;
        this.databaseUrl = db.url();
    }

    /**
     * One more cluster {@code name}, after {@value #CLUSTER}, on every endpoint of {@code other}, with
     * its CA in {@code ca-<name>.pem} and the same settings as the first.
     */
    public DaemonConfigFile addCluster(String name, ProxmoxSimulator other) {
        if (name.equals(CLUSTER) || more.containsKey(name)) {
            throw new IllegalArgumentException("cluster " + name + " is already in the file");
        }
        more.put(name, other);
        return this;
    }

    /** Writes the CA files and {@code pvesync.yaml} into {@code dir} and loads them as {@code pvesync run} would. */
    public PvesyncConfig load(Path dir) throws IOException, ConfigException {
        Files.writeString(dir.resolve("ca.pem"), sim.caCertificatePem());
        for (Map.Entry<String, ProxmoxSimulator> e : more.entrySet()) {
            Files.writeString(dir.resolve("ca-" + e.getKey() + ".pem"), e.getValue().caCertificatePem());
        }
        Path file = dir.resolve("pvesync.yaml");
        Files.writeString(file, yaml());
        return new ConfigLoader().load(file);
    }

    private String yaml() {
        StringBuilder yaml = new StringBuilder("""
                database:
                  url: %s
                  username: %s
                  password: %s
                clusters:
                """.formatted(databaseUrl, db.daemonUser(), db.daemonPassword()));
        cluster(yaml, CLUSTER, sim, "ca.pem");
        more.forEach((name, other) -> cluster(yaml, name, other, "ca-" + name + ".pem"));
        yaml.append("schedule:\n");
        yaml.append("  poll: ").append(poll).append('\n');
        if (reconcile != null) {
            yaml.append("  reconcile: \"").append(reconcile).append("\"\n");
        }
        if (clustered != null) {
            yaml.append("  clustered: ").append(clustered).append('\n');
        }
        yaml.append("status:\n");
        yaml.append("  listen: 127.0.0.1:0\n");
        yaml.append("  stale-after: ").append(staleAfter).append('\n');
        return yaml.toString();
    }

    private void cluster(StringBuilder yaml, String name, ProxmoxSimulator of, String caFile) {
        String endpoints = of.endpoints().stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", "));
        yaml.append("""
                  - name: %s
                    endpoints: [%s]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "%s"
                    tls:
                      ca-file: %s
                """.formatted(name, endpoints, tokenSecret, caFile));
        if (includeContainers) {
            yaml.append("    include-containers: true\n");
        }
        yaml.append("    connect-timeout: 1s\n");
        yaml.append("    read-timeout: ").append(readTimeout).append('\n');
        if (addressTimeout != null) {
            yaml.append("    addresses:\n");
            yaml.append("      timeout: ").append(addressTimeout).append('\n');
        }
        yaml.append("    missing:\n");
        yaml.append("      grace: ").append(missingGrace).append('\n');
        if (missingMaxShare != null) {
            yaml.append("      max-share: ").append(missingMaxShare).append('\n');
            yaml.append("      min-count: ").append(missingMinCount).append('\n');
        }
    }
}
