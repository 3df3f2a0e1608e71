package io.pvesync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backoff and manual requests of one cluster, driven by a clock the test moves. */
class ClusterRunnerTest {
    private Instant now = Instant.parse("2026-11-25T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final List<Instant> backoffs = new ArrayList<>();
    private final PassListener listener = new PassListener() {
        @Override
        public void started(String cluster, SyncMode mode) {
        }

        @Override
        public void finished(SyncOutcome outcome) {
        }

        @Override
        public void scheduled(String cluster, Instant nextRun) {
        }

        @Override
        public void backingOff(String cluster, Instant until) {
            backoffs.add(until);
        }
    };

    @Test
    void failingClusterRestsLongerAfterEachFailureUpToTheCap() {
        RecordingPass pass = new RecordingPass("lab");
        pass.failing = true;
        ClusterRunner runner = new ClusterRunner(pass, new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(2)), listener,
                PassGate.OPEN, clock);

        List<Integer> attemptsAtEachPoll = new ArrayList<>();
        for (int poll = 0; poll < 16; poll++) {
            runner.run(SyncMode.POLL, false);
            attemptsAtEachPoll.add(pass.count());
            now = now.plusSeconds(30);
        }

        // attempts at 0 s, 30 s (rest 30), 90 s (rest 60), 210 s (rest 120), 330 s, 450 s (capped at 120)
        assertThat(attemptsAtEachPoll).containsExactly(1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6);
        assertThat(backoffs).first().isEqualTo(Instant.parse("2026-11-25T10:00:30Z"));
    }

    @Test
    void aManualRequestIgnoresTheBackoffAndSuccessEndsIt() {
        RecordingPass pass = new RecordingPass("lab");
        pass.failing = true;
        ClusterRunner runner = new ClusterRunner(pass, new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(5)), listener,
                PassGate.OPEN, clock);
        runner.run(SyncMode.POLL, false);
        runner.run(SyncMode.POLL, false);
        assertThat(pass.count()).isEqualTo(1);

        ClusterRunner.Request request = runner.request();
        pass.failing = false;
        SyncOutcome outcome = runner.run(SyncMode.RECONCILE, true);

        assertThat(pass.count()).isEqualTo(2);
        assertThat(request.outcome()).isCompletedWithValue(outcome);
        assertThat(backoffs).last().isNull();
        runner.run(SyncMode.POLL, false);
        assertThat(pass.count()).isEqualTo(3);
    }

    @Test
    void requestsBeforeThePassStartsJoinOneAnother() {
        RecordingPass pass = new RecordingPass("lab");
        ClusterRunner runner = new ClusterRunner(pass, new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(5)), listener,
                PassGate.OPEN, clock);

        ClusterRunner.Request first = runner.request();
        ClusterRunner.Request second = runner.request();
        assertThat(first.trigger()).isTrue();
        assertThat(second.trigger()).isFalse();
        assertThat(second.outcome()).isSameAs(first.outcome());

        runner.run(SyncMode.RECONCILE, true);
        ClusterRunner.Request afterThePass = runner.request();
        assertThat(afterThePass.trigger()).isTrue();
        assertThat(afterThePass.outcome()).isNotSameAs(first.outcome()).isNotDone();
    }
}
