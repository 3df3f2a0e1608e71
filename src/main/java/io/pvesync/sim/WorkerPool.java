package io.pvesync.sim;

/**
 * One daemon's workers on one node (pveproxy's or pvedaemon's), kept as the moment each becomes
 * free: a call takes the worker free first, starts when both it and the worker are ready, and holds
 * the worker until it is done. Calls beyond the workers thus wait in one FIFO queue, in the order
 * they reserve; nobody sleeps here, the caller waits for the returned moment on its own thread.
 *
 * <p>pveproxy and pvedaemon accept greedily (a worker takes every pending connection and serves
 * them in turn, doc section 2): one shared queue is the kinder discipline, with no head-of-line
 * blocking behind a slow call another worker could have overtaken.
 */
final class WorkerPool {

    private final long[] freeAt;

    WorkerPool(int workers) {
        freeAt = new long[workers];
        java.util.Arrays.fill(freeAt, System.nanoTime()); // nanoTime may be any number, even negative
    }

    /**
     * Holds a worker for {@code serviceNanos} from {@code readyAt} on, or from when one is free.
     *
     * @param readyAt      {@link System#nanoTime()} when the call reaches this daemon
     * @return the {@link System#nanoTime()} when the call is done and the worker free again
     */
    synchronized long reserve(long readyAt, long serviceNanos) {
        int first = 0;
        for (int i = 1; i < freeAt.length; i++) {
            if (freeAt[i] - freeAt[first] < 0) {
                first = i;
            }
        }
        long start = freeAt[first] - readyAt > 0 ? freeAt[first] : readyAt;
        freeAt[first] = start + serviceNanos;
        return freeAt[first];
    }
}
