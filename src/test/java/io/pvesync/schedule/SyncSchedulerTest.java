package io.pvesync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.ScheduleConfig;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real Quartz scheduler around recording passes. Waits poll for a condition with a generous
 * limit; assertions are on counts and order, never on elapsed time.
 */
class SyncSchedulerTest {
    // hourly: never fires during a test
    private static final String HOURLY = "0 0 * * * ?";
    private final List<SyncScheduler> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(SyncScheduler::close);
    }

    private SyncScheduler start(Duration poll, Duration maxBackoff, RecordingPass... passes) throws Exception {
        SyncScheduler scheduler = new SyncScheduler(new ScheduleConfig(poll, HOURLY, false), List.of(passes),
                PassListener.NONE, maxBackoff, Clock.systemUTC());
        started.add(scheduler);
        scheduler.start();
        return scheduler;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void firstPassIsAFullOneThenPollsFollowOnTheInterval() throws Exception {
        RecordingPass lab = new RecordingPass("lab");

        start(Duration.ofMillis(100), Duration.ofSeconds(1), lab);

        await(() -> lab.count() >= 4, "four passes");
        assertThat(lab.runs.subList(0, 4)).containsExactly(SyncMode.RECONCILE, SyncMode.POLL, SyncMode.POLL,
                SyncMode.POLL);
    }

    @Test
    void theClustersPollsAreSpreadEvenlyOverTheInterval() throws Exception {
        RecordingPass[] passes = {new RecordingPass("a"), new RecordingPass("b"), new RecordingPass("c"),
                new RecordingPass("d")};

        SyncScheduler scheduler = start(Duration.ofSeconds(40), Duration.ofSeconds(40), passes);

        // started together, their polls would all fire in the same instant, every interval
        Instant a = scheduler.firstPoll("a");
        assertThat(List.of(scheduler.firstPoll("b"), scheduler.firstPoll("c"), scheduler.firstPoll("d")))
                .containsExactly(a.plusSeconds(10), a.plusSeconds(20), a.plusSeconds(30));
    }

    @Test
    void overlappingTriggersOfOneClusterNeverRunConcurrently() throws Exception {
        RecordingPass lab = new RecordingPass("lab");
        lab.hold = new CountDownLatch(1);
        SyncScheduler scheduler = start(Duration.ofMillis(20), Duration.ofSeconds(1), lab);
        lab.entered.await(10, TimeUnit.SECONDS);

        // while the first pass is held: polls are due many times over, and an operator asks too
        Thread.sleep(300);
        Map<String, CompletableFuture<SyncOutcome>> manual = scheduler.request(List.of("lab"));
        lab.hold.countDown();
        lab.hold = null;

        manual.get("lab").get(10, TimeUnit.SECONDS);
        await(() -> lab.count() >= 5, "five passes");
        assertThat(lab.maxRunning.get()).isEqualTo(1);
    }

    @Test
    void missedPollsCoalesceIntoOneRun() throws Exception {
        RecordingPass lab = new RecordingPass("lab");
        lab.hold = new CountDownLatch(1);
        start(Duration.ofMillis(200), Duration.ofSeconds(1), lab);
        lab.entered.await(10, TimeUnit.SECONDS);

        // about ten poll fires fall into this pause
        Thread.sleep(2_000);
        int before = lab.count();
        lab.hold.countDown();
        lab.hold = null;
        await(() -> lab.count() >= before + 1, "the coalesced run");
        Thread.sleep(100); // half an interval: a catch-up burst would show here

        assertThat(lab.count() - before).isEqualTo(1);
    }

    @Test
    void failingClusterBacksOffWhileAnotherKeepsItsRhythm() throws Exception {
        RecordingPass broken = new RecordingPass("broken");
        broken.failing = true;
        RecordingPass fine = new RecordingPass("fine");

        start(Duration.ofMillis(50), Duration.ofMillis(400), broken, fine);

        await(() -> fine.count() >= 30, "thirty passes of the healthy cluster");
        // rests of 50, 100, 200, 400, 400 ... ms: far fewer attempts than polls
        assertThat(broken.count()).isBetween(2, 12);
    }

    @Test
    void aBurstOfManualRequestsCostsOneExtraPass() throws Exception {
        RecordingPass lab = new RecordingPass("lab");
        lab.hold = new CountDownLatch(1);
        SyncScheduler scheduler = start(Duration.ofHours(1), Duration.ofHours(1), lab);
        lab.entered.await(10, TimeUnit.SECONDS); // the start pass, held

        List<CompletableFuture<SyncOutcome>> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            burst.add(scheduler.request(List.of("lab")).get("lab"));
        }
        lab.hold.countDown();
        lab.hold = null;

        SyncOutcome served = burst.get(0).get(10, TimeUnit.SECONDS);
        for (CompletableFuture<SyncOutcome> f : burst) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(served);
        }
        assertThat(lab.runs).containsExactly(SyncMode.RECONCILE, SyncMode.RECONCILE);
    }

    @Test
    void stopInterruptsAHeldPassAndReturns() throws Exception {
        RecordingPass lab = new RecordingPass("lab");
        lab.hold = new CountDownLatch(1);
        SyncScheduler scheduler = start(Duration.ofHours(1), Duration.ofHours(1), lab);
        lab.entered.await(10, TimeUnit.SECONDS);

        scheduler.stop(Duration.ofSeconds(5));

        assertThat(lab.running.get()).isZero();
        assertThat(lab.count()).isEqualTo(1);
    }
}
