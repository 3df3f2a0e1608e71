package io.pvesync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassTimelineTest {
    private static final Duration POLL = Duration.ofSeconds(30);
    private static final Duration TOLERANCE = Duration.ofSeconds(5);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static PassTimeline.Pass pass(double atSeconds, long durationMs) {
        return new PassTimeline.Pass(T0.plusMillis(Math.round(atSeconds * 1000)), durationMs, "poll", "ok");
    }

    @Test
    void aClusterPolledOnTimeMissesNothing() {
        PassTimeline t = new PassTimeline();
        for (int i = 0; i <= 6; i++) {
            t.saw("a", pass(i * 30 + 0.2, 100 + i));
        }
        t.saw("a", pass(60.2, 999)); // the same pass seen again by the next sample: kept once

        PassTimeline.Window w = t.window(List.of("a"), T0.plusSeconds(30), T0.plusSeconds(150), POLL, TOLERANCE);

        assertThat(w.perMinute()).containsExactly(2.0);
        assertThat(w.durationsMs()).containsExactly(101L, 102L, 103L, 104L);
        assertThat(w.late()).isZero();
        assertThat(w.missed()).isZero();
        assertThat(w.lateClusters()).isEmpty();
    }

    @Test
    void aGapCountsTheFiresThatWentByWithoutAPass() {
        PassTimeline t = new PassTimeline();
        t.saw("a", pass(0, 100));
        t.saw("a", pass(30, 100));
        t.saw("a", pass(96, 100)); // 66 s after the one before: the fires at 60 and 90 went by
        t.saw("a", pass(126, 100));
        t.saw("b", pass(0, 100));
        t.saw("b", pass(34, 100)); // 4 s late: within the tolerance
        t.saw("b", pass(64, 100));
        t.saw("b", pass(94, 100));
        t.saw("b", pass(124, 100));

        PassTimeline.Window w = t.window(List.of("a", "b"), T0.plusSeconds(10), T0.plusSeconds(130), POLL, TOLERANCE);

        assertThat(w.late()).isEqualTo(1);
        assertThat(w.missed()).isEqualTo(2);
        assertThat(w.longestGapMs()).isEqualTo(66_000);
        assertThat(w.lateClusters()).containsExactly("a");
    }

    @Test
    void aClusterThatStoppedPassingIsLateAtTheWindowsEnd() {
        PassTimeline t = new PassTimeline();
        t.saw("a", pass(0, 100));
        t.saw("a", pass(30, 100));

        PassTimeline.Window w = t.window(List.of("a", "never"), T0.plusSeconds(20), T0.plusSeconds(140), POLL, TOLERANCE);

        // a: the fires at 60, 90 and 120 went by; "never" has no pass at all, and so no gap to judge
        assertThat(w.missed()).isEqualTo(3);
        assertThat(w.perMinute()).containsExactly(0.5, 0.0);
        assertThat(w.lateClusters()).containsExactly("a");
    }

    @Test
    void missedPollsPerGap() {
        assertThat(PassTimeline.missedPolls(35_000, POLL, TOLERANCE)).isZero();
        assertThat(PassTimeline.missedPolls(35_001, POLL, TOLERANCE)).isEqualTo(1);
        assertThat(PassTimeline.missedPolls(60_000, POLL, TOLERANCE)).isEqualTo(1);
        assertThat(PassTimeline.missedPolls(66_000, POLL, TOLERANCE)).isEqualTo(2);
    }
}
