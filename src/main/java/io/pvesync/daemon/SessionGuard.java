package io.pvesync.daemon;

import io.pvesync.config.PvesyncConfig;
import io.pvesync.store.SessionPinning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction-pooling check (DESIGN.md 3.8) for a daemon that could not make it at start: the
 * database did not answer then. Asked before each pass takes its lock until the probe could tell;
 * behind a transaction pooler every pass then fails with what to change, as the start would have
 * refused, instead of taking locks that do not hold.
 */
final class SessionGuard {
    private static final Logger log = LoggerFactory.getLogger(SessionGuard.class);

    private final PvesyncConfig config;
    private volatile boolean pinned;
    private volatile String pooled; // the refusal, once the probe found a pooler

    private SessionGuard(PvesyncConfig config, boolean pinned) {
        this.config = config;
        this.pinned = pinned;
    }

    /** Nothing left to check: the probe at start found one session per connection. */
    static SessionGuard checkedAtStart(PvesyncConfig config) {
        return new SessionGuard(config, true);
    }

    /** The probe could not run at start: it runs before the first pass that reaches the database. */
    static SessionGuard uncheckedAtStart(PvesyncConfig config) {
        return new SessionGuard(config, false);
    }

    /**
     * @throws IllegalStateException naming the pooler's evidence and the remedy when connections
     *         do not keep their own session: the pass must not take its lock
     */
    synchronized void requirePinned() {
        if (pinned) {
            return;
        }
        if (pooled == null) {
            SessionPinning.Finding finding;
            try {
                finding = SessionPinning.probe(config.database());
            } catch (RuntimeException e) {
                // still no answer: the pass meets the same database and reports it
                log.debug("database - transaction-pooling check still cannot run: {}", e.getMessage());
                return;
            }
            if (finding.pinned()) {
                pinned = true;
                log.info("database - each connection keeps its own session (checked now that the database answers)");
                return;
            }
            pooled = Daemon.poolingRefusal(config, finding);
            log.error("database - {}; every pass fails until this is changed and pvesync restarted", pooled);
        }
        throw new IllegalStateException(pooled);
    }
}
