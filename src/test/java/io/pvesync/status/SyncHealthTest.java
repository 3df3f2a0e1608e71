package io.pvesync.status;

import io.pvesync.testing.MutableClock;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static io.pvesync.status.Outcomes.applied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The health rules of {@link SyncHealth} and what its snapshots show. */
class SyncHealthTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofMinutes(5);
    private static final String API_DOWN = "Proxmox API: cluster lab: all 2 endpoints failed; rows left as they were";

    private final MutableClock clock = new MutableClock(START);
    private final SyncHealth health = new SyncHealth(List.of("lab", "prod"), STALE_AFTER, clock);

    @Test
    void freshDaemonIs503StartingUntilEachClusterFinishedAPass() {
        assertThat(health.health()).isEqualTo(new Health(false, true, List.of(
                "cluster lab is starting: no pass has finished since pvesync started 0s ago",
                "cluster prod is starting: no pass has finished since pvesync started 0s ago")));
        clock.advance(STALE_AFTER.minusSeconds(1));
        health.finished(Outcomes.ok("lab", clock.instant()));

        assertThat(health.health()).isEqualTo(new Health(false, true, List.of(
                "cluster prod is starting: no pass has finished since pvesync started 4m 59s ago")));
        assertThat(health.clusters()).extracting(ClusterState::name, ClusterState::phase).containsExactly(
                org.assertj.core.groups.Tuple.tuple("lab", ClusterState.Phase.OK),
                org.assertj.core.groups.Tuple.tuple("prod", ClusterState.Phase.STARTING));

        health.finished(Outcomes.ok("prod", clock.instant()));
        assertThat(health.health()).isEqualTo(new Health(true, List.of()));
    }

    @Test
    void clusterThatNeverSyncedTurnsUnhealthyOnceStaleAfterHasPassedSinceStart() {
        clock.advance(Duration.ofSeconds(40));
        health.finished(Outcomes.ok("lab", clock.instant()));
        clock.advance(STALE_AFTER.minusSeconds(40));

        assertThat(health.health()).isEqualTo(new Health(false,
                List.of("cluster prod has not synced yet (started 5m ago)")));
    }

    @Test
    void aFailedFirstPassIsUnhealthyAtOnceAndNamesTheError() {
        health.finished(Outcomes.failed("lab", clock.instant(), API_DOWN));
        health.finished(Outcomes.ok("prod", clock.instant()));

        // nothing synced: no longer "starting" (a pass ended), and not healthy either
        assertThat(health.health()).isEqualTo(new Health(false,
                List.of("cluster lab has not synced yet (started 0s ago); last error: " + API_DOWN)));
        ClusterState lab = health.clusters().get(0);
        assertThat(lab.phase()).isEqualTo(ClusterState.Phase.FAILED);
        assertThat(lab.consecutiveFailures()).isEqualTo(1);
        assertThat(lab.lastError()).contains(new ClusterState.Problem(API_DOWN, START));

        clock.advance(Duration.ofMinutes(5).plusSeconds(2));
        health.finished(Outcomes.ok("prod", clock.instant()));
        assertThat(health.health()).isEqualTo(new Health(false,
                List.of("cluster lab has not synced yet (started 5m 2s ago); last error: " + API_DOWN)));
    }

    @Test
    void lastSuccessOlderThanStaleAfterIsUnhealthyWithTheErrorSince() {
        health.finished(Outcomes.ok("prod", clock.instant()));
        health.finished(Outcomes.ok("lab", clock.instant())); // ends 212 ms after START
        clock.advance(Duration.ofMinutes(3));
        health.finished(Outcomes.failed("lab", clock.instant(), API_DOWN));
        health.finished(Outcomes.ok("prod", clock.instant()));
        clock.advance(Duration.ofMinutes(3).plusSeconds(3).plusMillis(212));
        health.finished(Outcomes.ok("prod", clock.instant()));

        assertThat(health.health()).isEqualTo(new Health(false,
                List.of("cluster lab has not synced for 6m 3s; last error: " + API_DOWN)));
    }

    @Test
    void lastSuccessExactlyStaleAfterAgoIsStillHealthyAndOneSecondMoreIsNot() {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("prod", START));
        clock.advance(STALE_AFTER.plusMillis(212));
        assertThat(health.health().healthy()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(health.health().reasons()).containsExactly(
                "cluster lab has not synced for 5m 1s", "cluster prod has not synced for 5m 1s");
    }

    @Test
    void degradedPassIsUnhealthyWithItsReasonUntilAnOkPass() {
        health.finished(Outcomes.ok("prod", START));
        health.finished(Outcomes.degraded("lab", START));

        assertThat(health.health()).isEqualTo(new Health(false,
                List.of("cluster lab is degraded: " + Outcomes.GUARD_TEXT)));
        ClusterState lab = health.clusters().get(0);
        assertThat(lab.phase()).isEqualTo(ClusterState.Phase.DEGRADED);
        // it wrote the table, so the rows are current and it is no failure
        assertThat(lab.lastSuccess()).contains(START.plusMillis(1500));
        assertThat(lab.consecutiveFailures()).isZero();

        clock.advance(Duration.ofMinutes(1));
        health.finished(Outcomes.ok("lab", clock.instant()));
        assertThat(health.health()).isEqualTo(new Health(true, List.of()));
    }

    @Test
    void okPassAfterStaleFailuresRecoversHealthAndResetsConsecutiveFailures() {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("prod", START));
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofMinutes(2));
            health.finished(Outcomes.failed("lab", clock.instant(), API_DOWN));
            health.finished(Outcomes.ok("prod", clock.instant()));
        }
        assertThat(health.health().healthy()).isFalse();
        assertThat(health.clusters().get(0).consecutiveFailures()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(30));
        health.finished(Outcomes.ok("lab", clock.instant()));

        assertThat(health.health()).isEqualTo(new Health(true, List.of()));
        ClusterState lab = health.clusters().get(0);
        assertThat(lab.consecutiveFailures()).isZero();
        assertThat(lab.phase()).isEqualTo(ClusterState.Phase.OK);
        // the error stays visible, with its time, after the recovery
        assertThat(lab.lastError()).contains(new ClusterState.Problem(API_DOWN, START.plus(Duration.ofMinutes(6))));
    }

    @Test
    void staleWithoutAnErrorSinceDoesNotBlameTheOldError() {
        health.finished(Outcomes.failed("lab", START, API_DOWN));
        health.finished(Outcomes.ok("lab", START.plusSeconds(10)));
        health.finished(Outcomes.ok("prod", START.plusSeconds(10)));
        clock.advance(Duration.ofMinutes(10));

        assertThat(health.health().reasons()).containsExactly(
                "cluster lab has not synced for 9m 49s", "cluster prod has not synced for 9m 49s");
    }

    @Test
    void failedPassKeepsWhatTheLastAppliedPassFound() {
        Map<Integer, String> notes = Map.of(104, "guest agent not running", 231, "no address configured");
        health.finished(Outcomes.ok("lab", START, Duration.ofMillis(212), applied(3, 1, 40, 2, 1), notes,
                new AddressLookups(5, 2, 1), 9));
        health.finished(Outcomes.failed("lab", START.plusSeconds(30), API_DOWN));

        ClusterState lab = health.clusters().get(0);
        assertThat(lab.lastApplied()).contains(new ClusterState.Applied(
                new ClusterState.Counts(3, 1, 40, 2, 1, 2), new AddressLookups(5, 2, 1), notes));
        assertThat(lab.lastPass()).contains(new ClusterState.Pass(SyncMode.POLL, SyncOutcome.Result.FAILED,
                START.plusSeconds(30), Duration.ofSeconds(5), 0, Optional.of(API_DOWN)));
        assertThat(lab.lastSuccess()).contains(START.plusMillis(212));
        assertThat(lab.lastAttempt()).contains(START.plusSeconds(30));
    }

    @Test
    void runningPassIsShownAndAHangingOneIsNamedInTheStaleReason() {
        health.finished(Outcomes.ok("prod", START));
        clock.advance(Duration.ofSeconds(10));
        health.started("lab", SyncMode.RECONCILE);

        ClusterState lab = health.clusters().get(0);
        assertThat(lab.phase()).isEqualTo(ClusterState.Phase.RUNNING);
        assertThat(lab.running()).contains(SyncMode.RECONCILE);
        assertThat(lab.lastAttempt()).contains(START.plusSeconds(10));

        clock.advance(Duration.ofMinutes(5));
        assertThat(health.health().reasons()).containsExactly(
                "cluster lab has not synced yet (started 5m 10s ago); a pass has been running for 5m",
                "cluster prod has not synced for 5m 9s");

        health.finished(Outcomes.ok("lab", START.plusSeconds(10)));
        assertThat(health.clusters().get(0).running()).isEmpty();
    }

    @Test
    void stoppingIsUnhealthyEvenWhenEveryClusterIsFresh() {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("prod", START));

        health.stopping();

        assertThat(health.health()).isEqualTo(new Health(false, List.of("shutting down")));
    }

    @Test
    void scheduleAndBackoffAreShownAndCleared() {
        Instant next = START.plusSeconds(30);
        Instant until = START.plusSeconds(120);
        health.scheduled("lab", next);
        health.backingOff("lab", until);
        assertThat(health.clusters().get(0).nextRun()).contains(next);
        assertThat(health.clusters().get(0).backoffUntil()).contains(until);

        health.backingOff("lab", null);
        health.scheduled("lab", null);
        assertThat(health.clusters().get(0).backoffUntil()).isEmpty();
        assertThat(health.clusters().get(0).nextRun()).isEmpty();
    }

    @Test
    void unknownClusterIsRefusedNamingTheConfiguredOnes() {
        assertThatThrownBy(() -> health.started("nope", SyncMode.POLL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown cluster nope; configured: lab, prod");
        assertThatThrownBy(() -> new SyncHealth(List.of("lab", "lab"), STALE_AFTER, clock))
                .hasMessage("cluster lab is listed twice");
    }

    @Test
    void agesReadAsAnOperatorWritesThem() {
        assertThat(Ages.format(Duration.ofMillis(999))).isEqualTo("0s");
        assertThat(Ages.format(Duration.ofSeconds(40))).isEqualTo("40s");
        assertThat(Ages.format(Duration.ofSeconds(363))).isEqualTo("6m 3s");
        assertThat(Ages.format(Duration.ofMinutes(6))).isEqualTo("6m");
        assertThat(Ages.format(Duration.ofMinutes(125))).isEqualTo("2h 5m");
        assertThat(Ages.format(Duration.ofHours(50))).isEqualTo("2d 2h");
        assertThat(Ages.format(Duration.ofSeconds(-3))).isEqualTo("0s");
    }

    @Test
    void passesHoldingMoreThanTheGuardsShareForLongerThanStaleAfterDegradeTheCluster() {
        health.finished(Outcomes.ok("prod", START));
        // 30 of 40 held (their nodes offline, or a view without quorum): the pass still wrote the rest
        SyncOutcome holding = Outcomes.ok("lab", START, Duration.ofMillis(212), applied(0, 0, 10, 0, 30), Map.of(),
                AddressLookups.NONE, 2);
        assertThat(health.finished(holding)).isEqualTo(holding);
        assertThat(health.health().healthy()).isTrue();

        for (int minute = 1; minute <= 5; minute++) {
            clock.advance(Duration.ofMinutes(1));
            health.finished(Outcomes.ok("prod", clock.instant()));
            SyncOutcome again = Outcomes.ok("lab", clock.instant(), Duration.ofMillis(212), applied(0, 0, 10, 0, 30),
                    Map.of(), AddressLookups.NONE, 2);
            SyncOutcome judged = health.finished(again);
            if (minute < 5) {
                assertThat(judged.result()).as("minute %d", minute).isEqualTo(SyncOutcome.Result.OK);
            } else {
                assertThat(judged.result()).isEqualTo(SyncOutcome.Result.DEGRADED);
            }
        }
        assertThat(health.health().reasons()).singleElement().asString()
                .startsWith("cluster lab is degraded: its passes have held 30 of its 40 VMs for 5m")
                .contains("pvecm status");
        assertThat(health.clusters().get(0).phase()).isEqualTo(ClusterState.Phase.DEGRADED);

        // a pass that holds no more than the guard's share ends it at once
        clock.advance(Duration.ofMinutes(1));
        health.finished(Outcomes.ok("prod", clock.instant()));
        health.finished(Outcomes.ok("lab", clock.instant(), Duration.ofMillis(212), applied(0, 0, 38, 0, 2), Map.of(),
                AddressLookups.NONE, 2));
        assertThat(health.health()).isEqualTo(new Health(true, List.of()));
    }
}
