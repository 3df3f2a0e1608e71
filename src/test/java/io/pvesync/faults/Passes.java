package io.pvesync.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One cluster's passes as the daemon runs them (the real client over HTTPS with the simulator's
 * CA, guest details, the store), one at a time, so a test sees each pass's exact outcome.
 */
final class Passes implements AutoCloseable {
    static final String CLUSTER = "lab";
    static final String TOKEN_ID = "pvesync@pve!inventory";
    /** Vanished VMs are marked at once; the guard as shipped (more than 10% and more than 5). */
    static final MissingPolicy NO_GRACE = new MissingPolicy(Duration.ZERO, 0.10, 5);

    private final ProxmoxClient client;
    private final GuestDetails details;
    private final ClusterSync sync;
    /** Rewrites the next listing, for the faults the simulator cannot serve. */
    final ListingTamper listing;

    /**
     * @param dir              where the simulator's CA is written for {@code tls.ca-file}
     * @param readTimeout      the inventory call's read timeout
     * @param statementTimeout {@code database.statement-timeout}
     */
    Passes(ProxmoxSimulator sim, Path dir, DataSource ds, Duration readTimeout, Duration statementTimeout)
            throws IOException {
        this(sim, dir, ds, readTimeout, statementTimeout, CLUSTER, java.util.Set.of());
    }

    /**
     * Passes of cluster {@code name} beside the {@code others} (their nodes decide whether an
     * application row can be adopted).
     */
    Passes(ProxmoxSimulator sim, Path dir, DataSource ds, Duration readTimeout, Duration statementTimeout, String name,
           java.util.Set<String> others) throws IOException {
        Path ca = Files.writeString(dir.resolve(name + "-pve-root-ca.pem"), sim.caCertificatePem());
        ClusterConfig config = new ClusterConfig(name, sim.endpoints(), TOKEN_ID,
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), new TlsConfig(Optional.of(ca), List.of(), false),
                false, Duration.ofSeconds(1), readTimeout, Duration.ofSeconds(2), 2, Duration.ofMinutes(15), NO_GRACE);
        this.client = new ProxmoxClient(config);
        this.listing = new ListingTamper(client);
        this.details = new GuestDetails(listing, config.addressConcurrency(), config.addressRefresh(), Clock.systemUTC());
        this.sync = new ClusterSync(config, listing, details, new VmStore(ds, statementTimeout), others, Clock.systemUTC());
    }

    /** What {@code /cluster/resources} answers now, read past the tamper: to show what a pass was given. */
    JsonNode listingNow() throws ProxmoxException {
        return client.get(ApiCall.clusterResources());
    }

    /** A full pass: every config and address read, {@code last_seen_at} refreshed (the daemon's first). */
    SyncOutcome reconcile() {
        return sync.run(SyncMode.RECONCILE);
    }

    /** A poll: unchanged rows are not written at all. */
    SyncOutcome poll() {
        return sync.run(SyncMode.POLL);
    }

    @Override
    public void close() {
        sync.close();
        client.close();
    }
}
