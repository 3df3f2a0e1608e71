package io.pvesync.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * @param listen      where the status endpoint listens (loopback by default)
 * @param resyncToken bearer token POST /resync requires; absent = none required
 * @param staleAfter  /health reports 503 once a cluster has not synced for this long
 */
public record StatusConfig(InetSocketAddress listen, Optional<Secret> resyncToken, Duration staleAfter) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:9187";
}
