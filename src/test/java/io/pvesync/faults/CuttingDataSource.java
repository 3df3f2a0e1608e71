package io.pvesync.faults;

import io.pvesync.store.DelegatingDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The daemon's pool with a hand on the network: armed, it cuts (or freezes) the {@link PgProxy} at
 * an exact point of the store's write transaction, after the server has taken writes it has not committed.
 * It only watches: every call goes to the real connection, so what fails is the real driver on a
 * really closed socket.
 */
final class CuttingDataSource extends DelegatingDataSource {

    /** Where in the write transaction the database goes away. */
    enum CutPoint {
        /** the first write statement has been executed on the server, the others not yet */
        AFTER_FIRST_WRITE,
        /** every write statement has been executed on the server; COMMIT never arrives */
        BEFORE_COMMIT,
        /**
         * an earlier write transaction of the pass committed, and the first statement of a later one
         * has been executed on the server (DESIGN.md 3.6: a poll writes in steps)
         */
        IN_A_LATER_WRITE
    }

    /** What happens to the network at the cut point. */
    enum Fault {
        /** the connections are closed and the port refuses new ones: a stopped server */
        CUT,
        /** every byte is dropped and nothing is closed: a silent network partition */
        FREEZE
    }

    private final PgProxy proxy;
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger commits = new AtomicInteger();
    private volatile Fault fault = Fault.CUT;
    private volatile CutPoint armed;
    private volatile int writesBeforeCut = -1;

    CuttingDataSource(DataSource pool, PgProxy proxy) {
        super(pool);
        this.proxy = proxy;
    }

    /** The next write transaction loses the database at {@code point}; once. */
    void arm(CutPoint point) {
        arm(point, Fault.CUT);
    }

    /** The next write transaction meets {@code fault} at {@code point}; once. */
    void arm(CutPoint point, Fault fault) {
        this.fault = fault;
        writes.set(0);
        commits.set(0);
        writesBeforeCut = -1;
        armed = point;
    }

    /** How many write statements the server had executed in the cut transaction; -1 before a cut. */
    int writesBeforeCut() {
        return writesBeforeCut;
    }

    private void cutNow() {
        armed = null;
        writesBeforeCut = writes.get();
        if (fault == Fault.FREEZE) {
            proxy.freeze();
        } else {
            proxy.cut();
        }
    }

    @Override
    protected Connection wrap(Connection real) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getName().equals("commit") && armed == CutPoint.BEFORE_COMMIT && writes.get() > 0) {
                cutNow();
            }
            Object result = invoke(real, method, args);
            if (method.getName().equals("commit") && writes.get() > 0) {
                commits.incrementAndGet();
            }
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql
                    && isWrite(sql)) {
                return watchWrites((PreparedStatement) result);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    private PreparedStatement watchWrites(PreparedStatement real) {
        InvocationHandler handler = (self, method, args) -> {
            Object result = invoke(real, method, args);
            if (method.getName().startsWith("execute")) {
                writes.incrementAndGet();
                if (armed == CutPoint.AFTER_FIRST_WRITE
                        || armed == CutPoint.IN_A_LATER_WRITE && commits.get() > 0) {
                    cutNow();
                }
            }
            return result;
        };
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, handler);
    }

    /** A write of {@code public.vms}: plain, or as the CTE that records its history (DESIGN.md 4.5). */
    private static boolean isWrite(String sql) {
        String write = sql.startsWith("WITH w AS (") ? sql.substring("WITH w AS (".length()) : sql;
        return write.startsWith("UPDATE public.vms") || write.startsWith("INSERT INTO public.vms");
    }
}
