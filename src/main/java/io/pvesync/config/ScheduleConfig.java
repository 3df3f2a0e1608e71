package io.pvesync.config;

import java.time.Duration;

/**
 * @param poll      interval of the frequent poll
 * @param reconcile Quartz cron expression of the full reconciliation pass
 * @param clustered whether several instances share jobs through Quartz's JDBC job store
 */
public record ScheduleConfig(Duration poll, String reconcile, boolean clustered) {
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(30);
    public static final String DEFAULT_RECONCILE = "0 0 * * * ?";
}
