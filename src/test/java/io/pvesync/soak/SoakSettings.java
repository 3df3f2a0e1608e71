package io.pvesync.soak;

import io.pvesync.config.Durations;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * What one soak run does, from system properties so the same test serves CI (short, a new seed
 * each time) and a long run by hand: {@code -Dpvesync.soak.duration=10m -Dpvesync.soak.seed=42}.
 *
 * @param seed     drives every change, fault and application write; printed, so a failing run can
 *                 be replayed with the same sequence (the daemon's timing still differs)
 * @param duration how long changes and faults go on before the final comparison
 */
record SoakSettings(long seed, Duration duration) {
    static final String SEED = "pvesync.soak.seed";
    static final String DURATION = "pvesync.soak.duration";
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);

    static SoakSettings fromSystemProperties() {
        String seed = System.getProperty(SEED);
        String duration = System.getProperty(DURATION);
        return new SoakSettings(seed == null || seed.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(seed.strip()),
                duration == null || duration.isBlank() ? DEFAULT_DURATION : Durations.parse(duration.strip()));
    }
}
