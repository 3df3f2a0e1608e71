package io.pvesync.store;

import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Durations;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.Snapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code public.vms} table as pvesync keeps it: reads the rows of a cluster and applies a
 * {@link Snapshot} to them (DESIGN.md 3.1-3.5, 3.7). Every call is one transaction under the
 * admin row-level security context. Thread-safe. Besides the pool it keeps, per cluster, the rows
 * as its last write left them ({@link LastWritten}), used by polls while the table's fingerprint
 * shows nobody else wrote them; reconcile passes always read the table in full.
 */
public final class VmStore {
    private static final Logger log = LoggerFactory.getLogger(VmStore.class);

    // Takes the cluster's lock and reads the transaction's clock in one round trip. The lock is
    // transaction-level: released by commit or rollback, never left behind by a failed pass.
    private static final String LOCK = "SELECT now() FROM pg_advisory_xact_lock(?)";

    private static final String NOTIFY = "SELECT pg_notify(?, ?)";

    /** query_canceled: a statement timeout, or an administrator's pg_cancel_backend. */
    private static final String CANCELED = "57014";

    private final DataSource ds;
    private final Map<String, LastWritten> lastWritten = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> warned = new ConcurrentHashMap<>();
    private final ClusterNodes nodes = new ClusterNodes();
    private final Duration statementTimeout;

    /** A store whose statements may run {@link DatabaseConfig#DEFAULT_STATEMENT_TIMEOUT} each. */
    public VmStore(DataSource ds) {
        this(ds, DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT);
    }

    /**
     * @param statementTimeout the longest one statement may run, waiting for a lock included (a
     *                         session holding {@code public.vms} or the cluster's advisory lock must
     *                         not hang a pass forever); at least a millisecond
     */
    public VmStore(DataSource ds, Duration statementTimeout) {
        this.ds = Objects.requireNonNull(ds, "ds");
        if (statementTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("statementTimeout must be at least 1ms (0 means none to PostgreSQL),"
                    + " not " + statementTimeout);
        }
        this.statementTimeout = statementTimeout;
    }

    /**
     * The live rows of {@code cluster} (not retired), by VMID: what the inventory needs to decide
     * which guests deserve a closer look. One query.
     *
     * @throws StoreException when the database cannot be read
     */
    public Map<Integer, KnownVm> known(String cluster) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                RlsContext.admin(c, statementTimeout);
                LastWritten cached = lastWritten.get(cluster);
                Map<Integer, KnownVm> known = cached != null && cached.fingerprint().equals(VmRows.fingerprint(c, cluster))
                        ? cached.known() : VmRows.known(c, cluster);
                c.commit();
                return known;
            } catch (SQLException e) {
                rollbackQuietly(c, cluster);
                throw failure("cluster " + cluster + ": reading the known VMs failed: ", e, c);
            } catch (RuntimeException e) {
                rollbackQuietly(c, cluster);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cluster " + cluster + ": reading the known VMs failed: " + explain(e), e);
        }
    }

    /**
     * Applies one successful listing of a cluster in one transaction: inserts first-seen VMs,
     * updates changed rows (unchanged rows are not written at all), adopts the application's rows,
     * retires rows of reused VMIDs and marks vanished VMs missing, subject to the grace period
     * and the mass-disappearance guard. Another pvesync instance applying the same cluster waits
     * for this one (advisory lock on the cluster's name).
     *
     * <p>With {@code options.dryRun()} everything is computed and reported, nothing is written.
     *
     * @return what was (or, in a dry run, would be) done
     * @throws StoreException when the database fails; the transaction is rolled back, no row changed
     */
    public ApplyResult apply(Snapshot snapshot, ApplyOptions options) {
        String cluster = snapshot.cluster();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                RlsContext.admin(c, statementTimeout);
                Instant now = lock(c, cluster);
                Map<Integer, Long> xmins = new HashMap<>();
                List<StoredRow> rows = rows(c, snapshot, options, xmins);
                ChangePlan plan = ChangePlanner.plan(snapshot, options, rows, now, otherNodes(c, options, cluster, rows));
                List<String> warnings = new ArrayList<>(plan.warnings());
                plan.result().guardTrip().ifPresent(trip -> warnings.add("- " + trip));
                warnOnce(cluster, warnings);
                boolean nodesMoved = !options.dryRun() && nodes.record(c, snapshot, options.reconcile());
                RecordedChanges recorded = RecordedChanges.NONE;
                if (options.dryRun() || plan.isEmpty() && !nodesMoved) {
                    // nothing to write (or not allowed to): ending read-only work, the lock goes with it
                    c.rollback();
                    if (!options.dryRun()) {
                        nodes.committed(snapshot); // unchanged: what is stored
                        lastWritten.put(cluster, LastWritten.after(rows, cluster, List.of(), List.of(), xmins));
                    }
                } else {
                    recorded = BatchWriter.write(c, cluster, plan);
                    LastWritten next = remember(c, cluster, rows, plan, xmins);
                    commit(c, cluster);
                    nodes.committed(snapshot);
                    lastWritten.put(cluster, next);
                }
                report(cluster, options, plan.result());
                return plan.result().withRecorded(recorded);
            } catch (SQLException e) {
                lastWritten.remove(cluster);
                nodes.forget(cluster);
                rollbackQuietly(c, cluster);
                throw failure("cluster " + cluster + ": applying the listing failed, nothing was written: ", e, c);
            } catch (RuntimeException e) {
                lastWritten.remove(cluster);
                nodes.forget(cluster);
                rollbackQuietly(c, cluster);
                throw e;
            }
        } catch (SQLException e) {
            lastWritten.remove(cluster);
            throw new StoreException("cluster " + cluster + ": applying the listing failed, nothing was written: "
                    + explain(e), e);
        }
    }

    /**
     * Tells the application that a pass of {@code cluster} wrote rows: one {@code NOTIFY
     * pvesync_vms} with {@link ChangeNotice}'s payload, in a transaction of its own after the
     * pass's last write (DESIGN.md 4.5). Nothing when {@code recorded} is empty.
     *
     * @param mode {@code poll} or {@code reconcile}
     * @throws StoreException when the database refused or could not be reached; the rows and their
     *                        history are written either way
     */
    public void announce(String cluster, String mode, RecordedChanges recorded) {
        if (recorded.isEmpty()) {
            return;
        }
        String payload = ChangeNotice.payload(cluster, mode, recorded);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(NOTIFY)) {
            c.setAutoCommit(true);
            ps.setString(1, ChangeNotice.CHANNEL);
            ps.setString(2, payload);
            ps.execute();
        } catch (SQLException e) {
            throw new StoreException("cluster " + cluster + ": NOTIFY " + ChangeNotice.CHANNEL + " failed: "
                    + explain(e), e);
        }
    }

    /**
     * Commits, or says that the outcome is unknown: a COMMIT whose answer never came may have been
     * applied by the server. An error the server sent (a deferred constraint, a serialization
     * failure) means it rolled back, and is thrown as it is. Either way the kept rows are forgotten
     * (by the caller), so the next pass reads the table and writes whatever is still missing.
     */
    private void commit(Connection c, String cluster) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            if (!lostConnection(e)) {
                throw e; // the server answered: it rolled the transaction back
            }
            throw StoreException.unconfirmedCommit("cluster " + cluster + ": applying the listing failed at"
                    + " COMMIT, which the database did not confirm, so the writes may or may not be stored; the next pass reads the"
                    + " table and repairs either way: " + explain(e), e);
        }
    }

    /**
     * The driver's message with the reason behind it, and what a statement timeout or a silent
     * database most likely means for an operator.
     */
    private String explain(SQLException e) {
        String message = StoreException.reason(e);
        if (CANCELED.equals(e.getSQLState()) && message.contains("statement timeout")) {
            return message + " (a statement ran longer than database.statement-timeout, "
                    + Durations.format(statementTimeout) + ": another session may hold a lock on public.vms;"
                    + " see pg_locks and pg_stat_activity)";
        }
        if (Causes.find(e, java.net.SocketTimeoutException.class::isInstance).isPresent()) {
            return message + " (the database sent nothing for 5 s longer than the connection's longest wait,"
                    + " database.statement-timeout (" + Durations.format(statementTimeout) + ") or a 2-minute pass-lock"
                    + " wait, so the connection was given up: the network to the database may be dropping packets,"
                    + " or the server is stuck)";
        }
        return message;
    }

    /** The connection broke (SQLState class 08, or an I/O error under it): the server's answer is unknown. */
    private static boolean lostConnection(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08")
                || Causes.find(e, java.io.IOException.class::isInstance).isPresent();
    }

    /**
     * The rows the plan needs: the cluster's live rows and every application row without a
     * cluster, their xmins put in {@code xmins}. Taken from the rows this store last left while the
     * table's fingerprint shows they are exactly what is stored; read in full in a reconcile or a
     * dry run, or when anyone else wrote.
     */
    private List<StoredRow> rows(Connection c, Snapshot snapshot, ApplyOptions options, Map<Integer, Long> xmins)
            throws SQLException {
        String cluster = snapshot.cluster();
        LastWritten cached = options.reconcile() || options.dryRun() ? null : lastWritten.get(cluster);
        if (cached != null && cached.fingerprint().equals(VmRows.fingerprint(c, cluster))) {
            xmins.putAll(cached.xmins());
            return cached.all();
        }
        lastWritten.remove(cluster);
        return VmRows.forApply(c, cluster, xmins);
    }

    /**
     * The cluster's rows once this transaction commits: the rows read, with the ones written read
     * back from the table (so the cache holds what is stored, not what was meant, and each row's
     * new xmin).
     */
    private static LastWritten remember(Connection c, String cluster, List<StoredRow> rows, ChangePlan plan,
                                        Map<Integer, Long> xmins) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        plan.marks().forEach(m -> ids.add(m.id()));
        plan.updates().forEach(u -> ids.add(u.id()));
        Integer[] inserted = plan.inserts().stream().map(RowValues::vmid).toArray(Integer[]::new);
        List<StoredRow> readBack = List.of();
        if (!ids.isEmpty() || inserted.length > 0 || !plan.touches().isEmpty()) {
            // touched rows (reconcile) keep their values but get a new xmin: read them back too
            ids.addAll(plan.touches());
            readBack = VmRows.readBack(c, cluster, ids.toArray(Integer[]::new), inserted, xmins);
        }
        return LastWritten.after(rows, cluster, ids, readBack, xmins);
    }

    /**
     * The recorded nodes of the other clusters, read only when several clusters are configured and
     * some application row is waiting for a cluster: adoption needs them.
     */
    private static Map<String, Set<String>> otherNodes(Connection c, ApplyOptions options, String cluster,
                                                       List<StoredRow> rows) throws SQLException {
        if (options.otherClusters().isEmpty() || rows.stream().noneMatch(r -> r.cluster() == null)) {
            return Map.of();
        }
        return ClusterNodes.others(c, cluster);
    }

    /**
     * Logs the plan's warnings, each once while it lasts: a row that cannot be adopted would say
     * so on every poll.
     */
    private void warnOnce(String cluster, List<String> warnings) {
        Set<String> before = warned.getOrDefault(cluster, Set.of());
        for (String warning : warnings) {
            if (!before.contains(warning)) {
                log.warn("cluster={} {}", cluster, warning);
            }
        }
        warned.put(cluster, Set.copyOf(warnings));
    }

    /** The rows this store keeps for {@code cluster} between passes, if any (a seam for tests). */
    Optional<LastWritten> lastWritten(String cluster) {
        return Optional.ofNullable(lastWritten.get(cluster));
    }

    private static Instant lock(Connection c, String cluster) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setLong(1, lockKey(cluster));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }

    /**
     * The advisory lock key of a cluster: the first 8 bytes of SHA-256 of a namespaced name, so
     * every instance, whatever its version, computes the same key and it hardly collides with
     * another application's keys.
     */
    static long lockKey(String cluster) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("pvesync.cluster:" + cluster).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static void report(String cluster, ApplyOptions options, ApplyResult result) {
        String would = options.dryRun() ? "would " : "";
        for (VmChange change : result.changes()) {
            if (change.kind() == VmChange.Kind.INSERT || change.kind() == VmChange.Kind.UPDATE) {
                log.debug("cluster={} vmid={} - {}{}: {}", cluster, change.vmid(), would, verb(change.kind()),
                        change.detail());
            } else {
                // rare, and worth an operator's eye: a row changed hands, left the listing or came back
                log.info("cluster={} vmid={} - {}{}: {}", cluster, change.vmid(), would, verb(change.kind()),
                        change.detail());
            }
        }
    }

    private static String verb(VmChange.Kind kind) {
        return switch (kind) {
            case INSERT -> "insert";
            case UPDATE -> "update";
            case ADOPT -> "adopt";
            case RESTORE -> "restore";
            case MISSING -> "mark missing";
            case RETIRE -> "retire";
        };
    }

    /**
     * The store's failure, saying which grant is missing when the database refused a privilege
     * ("permission denied for table vms" does not say which). {@code c} must be rolled back.
     */
    private StoreException failure(String what, SQLException e, Connection c) {
        String hint = Grants.denial(e).isPresent() ? Grants.hint(c) : "";
        return new StoreException(what + explain(e) + hint, e);
    }

    private static void rollbackQuietly(Connection c, String cluster) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the original failure is the one to report; the pool discards a broken connection
            log.debug("cluster={} - rollback after a failure failed too: {}", cluster, e.getMessage());
        }
    }
}
