package io.pvesync.faults;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Polls for a condition with a generous limit: the tests assert states, never durations. */
final class Await {
    private static final long LIMIT_SECONDS = 40;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; an exception thrown by it counts as "not yet".
     *
     * @throws AssertionError naming {@code what} when it does not hold within the limit
     */
    static void until(Callable<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        AssertionError failure = new AssertionError("not within " + LIMIT_SECONDS + " s: " + what);
        if (last != null) {
            failure.initCause(last);
        }
        throw failure;
    }
}
