package io.pvesync.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One Proxmox VE cluster (or standalone host) to keep in sync.
 *
 * @param name              the cluster's identity in the vms table (column proxmox_cluster)
 * @param endpoints         API base URLs such as https://pve1:8006, tried in order
 * @param tokenId           USER@REALM!TOKENID
 * @param tokenSecret       the token's secret
 * @param includeContainers whether LXC containers are synced too
 * @param connectTimeout    TCP/TLS connect timeout per endpoint
 * @param readTimeout       read timeout for inventory calls (a 401 arrives after 3 s)
 * @param addressTimeout    read timeout for per-VM address and config calls
 * @param addressConcurrency per-node limit of concurrent per-VM calls (a node has 3 API workers)
 * @param addressRefresh    how often a running VM's address is looked up again when nothing else changed
 * @param missing           when vanished VMs are marked missing
 * @param addressBudget     how long one pass may start per-VM calls (config, address); the rest wait
 *                          for the next pass (DESIGN.md 3.6, "Two speeds")
 */
public record ClusterConfig(
        String name,
        List<URI> endpoints,
        String tokenId,
        Secret tokenSecret,
        TlsConfig tls,
        boolean includeContainers,
        Duration connectTimeout,
        Duration readTimeout,
        Duration addressTimeout,
        int addressConcurrency,
        Duration addressRefresh,
        MissingPolicy missing,
        Duration addressBudget) {

    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
    }

    /** A cluster whose address budget is the default for the default poll interval. */
    public ClusterConfig(String name, List<URI> endpoints, String tokenId, Secret tokenSecret, TlsConfig tls,
                         boolean includeContainers, Duration connectTimeout, Duration readTimeout,
                         Duration addressTimeout, int addressConcurrency, Duration addressRefresh,
                         MissingPolicy missing) {
        this(name, endpoints, tokenId, tokenSecret, tls, includeContainers, connectTimeout, readTimeout, addressTimeout,
                addressConcurrency, addressRefresh, missing,
                defaultAddressBudget(ScheduleConfig.DEFAULT_POLL, addressTimeout));
    }

    /** This cluster with another missing-VM policy. */
    public ClusterConfig withMissing(MissingPolicy policy) {
        return new ClusterConfig(name, endpoints, tokenId, tokenSecret, tls, includeContainers, connectTimeout,
                readTimeout, addressTimeout, addressConcurrency, addressRefresh, policy, addressBudget);
    }

    /** This cluster with another address budget. */
    public ClusterConfig withAddressBudget(Duration budget) {
        return new ClusterConfig(name, endpoints, tokenId, tokenSecret, tls, includeContainers, connectTimeout,
                readTimeout, addressTimeout, addressConcurrency, addressRefresh, missing, budget);
    }

    /**
     * Half the poll interval, so a pass (listing, lookups, the store, and lookups in flight at the
     * budget's end, each bounded by the address timeout) ends before the next poll is due; but at
     * least one address timeout, so a slow answer can still arrive.
     */
    public static Duration defaultAddressBudget(Duration poll, Duration addressTimeout) {
        Duration half = poll.dividedBy(2);
        return half.compareTo(addressTimeout) >= 0 ? half : addressTimeout;
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_ADDRESS_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_ADDRESS_CONCURRENCY = 2;
    public static final Duration DEFAULT_ADDRESS_REFRESH = Duration.ofMinutes(15);
}
