package io.pvesync.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The whole configuration file, validated. */
public record PvesyncConfig(
        Path source,
        DatabaseConfig database,
        List<ClusterConfig> clusters,
        ScheduleConfig schedule,
        StatusConfig status,
        LoggingConfig logging,
        HistoryConfig history) {

    public PvesyncConfig {
        clusters = List.copyOf(clusters);
    }

    /** A config with the default logging (text) and history. */
    public PvesyncConfig(Path source, DatabaseConfig database, List<ClusterConfig> clusters, ScheduleConfig schedule,
                         StatusConfig status) {
        this(source, database, clusters, schedule, status, LoggingConfig.DEFAULT);
    }

    /** A config with the default history (90 days). */
    public PvesyncConfig(Path source, DatabaseConfig database, List<ClusterConfig> clusters, ScheduleConfig schedule,
                         StatusConfig status, LoggingConfig logging) {
        this(source, database, clusters, schedule, status, logging, HistoryConfig.DEFAULT);
    }

    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Each cluster's guard against mass disappearance (and its grace), by name, in config order. */
    public Map<String, MissingPolicy> missingPolicies() {
        Map<String, MissingPolicy> out = new LinkedHashMap<>();
        clusters.forEach(c -> out.put(c.name(), c.missing()));
        return out;
    }

    /** The names of the configured clusters other than {@code name}. */
    public Set<String> clustersBut(String name) {
        return clusters.stream().map(ClusterConfig::name).filter(n -> !n.equals(name))
                .collect(Collectors.toUnmodifiableSet());
    }
}
