package io.pvesync.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP asks for a resync ({@code systemctl reload pvesync}). Uses the JDK's sun.misc.Signal, the
 * one way a Java process can handle a signal; where it is missing, reload is unavailable and the
 * HTTP endpoint still works.
 */
final class HangupSignal {
    private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

    private HangupSignal() {
    }

    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                log.info("SIGHUP - resync of every cluster requested");
                action.run();
            });
        } catch (IllegalArgumentException | LinkageError e) {
            log.warn("SIGHUP cannot be handled on this JVM ({}); use POST /resync instead", e.getMessage());
        }
    }
}
