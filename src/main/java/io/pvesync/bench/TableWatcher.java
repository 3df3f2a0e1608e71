package io.pvesync.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the table from outside while a pass runs: a thread of its own, on a connection of its
 * own (the database owner's, not pvesync's counted pool, so the statement counts stay pvesync's),
 * runs one query every {@link #INTERVAL_MS} ms and keeps what each run saw and when it was sent.
 * The benchmark states when rows landed from these samples, not from what the pass says it did.
 *
 * <p>A sample's time is when its query was sent: PostgreSQL takes the statement's snapshot then,
 * so what it saw was committed before that moment (and after the previous sample's). The sample
 * taken once the pass has returned is stamped with the pass's end: whatever it sees was committed
 * before {@code run()} returned.
 */
final class TableWatcher implements AutoCloseable {
    /** The watcher's thread name: {@link Meter} leaves its CPU and allocations out of the pass's. */
    static final String THREAD = "bench-watch";
    static final long INTERVAL_MS = 20;

    /** What one run of the query saw: its columns, as numbers. */
    record Sample(long nanos, long[] values) {
    }

    private final Connection connection;
    private final PreparedStatement query;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile SQLException failure;

    /**
     * Starts watching at once; {@code query} is prepared on {@code connection} with its parameters
     * set, and each of its result columns must be a number. The connection is closed with the watcher.
     */
    TableWatcher(Connection connection, PreparedStatement query) {
        this.connection = connection;
        this.query = query;
        this.thread = new Thread(this::watch, THREAD);
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        try {
            while (!stopping) {
                sample(System.nanoTime());
                Thread.sleep(INTERVAL_MS);
            }
        } catch (SQLException e) {
            failure = e;
        } catch (InterruptedException e) {
            // stopped
        }
    }

    private void sample(long sent) throws SQLException {
        try (ResultSet rs = query.executeQuery()) {
            rs.next();
            long[] values = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = rs.getLong(i + 1);
            }
            synchronized (samples) {
                samples.add(new Sample(sent, values));
            }
        }
    }

    /**
     * Stops the thread and takes the last sample, stamped {@code passEnded} (the pass has returned,
     * so whatever it sees was committed by then).
     *
     * @return every sample, oldest first
     */
    List<Sample> stop(long passEnded) throws SQLException {
        stopping = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new SQLException("the table watcher's query failed: " + failure.getMessage(), failure);
        }
        sample(System.nanoTime());
        synchronized (samples) {
            Sample last = samples.remove(samples.size() - 1);
            samples.add(new Sample(passEnded, last.values()));
            return List.copyOf(samples);
        }
    }

    /** The value of {@code column} in the last sample. */
    static long last(List<Sample> samples, int column) {
        return samples.get(samples.size() - 1).values()[column];
    }

    /**
     * Milliseconds from {@code start} to the first sample whose {@code column} had reached
     * {@code target} (a sample sent before {@code start} counts as {@code start}); NaN when none had.
     */
    static double firstReaching(List<Sample> samples, int column, long target, long start) {
        for (Sample s : samples) {
            if (s.values()[column] >= target) {
                return Math.max(0, s.nanos() - start) / 1e6;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() throws SQLException {
        stopping = true;
        thread.interrupt();
        connection.close();
    }
}
