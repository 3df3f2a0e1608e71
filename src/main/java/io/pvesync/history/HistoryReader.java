package io.pvesync.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.store.Grants;
import io.pvesync.store.RlsContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads {@code public.vm_changes} as the daemon's role. The role is subject to row-level security,
 * whose admin policy shows every change only under the admin context; without it the role would
 * see no change at all (it owns no VM), so every read sets that context first, in a read-only
 * transaction: this command looks, it never writes.
 */
public final class HistoryReader {
    /** SQLSTATE undefined_table. */
    private static final String NO_SUCH_TABLE = "42P01";
    /** SQLSTATE insufficient_privilege. */
    private static final String DENIED = "42501";

    // Only these constant fragments are ever joined; every value is a bound parameter. Each filter
    // keeps an index usable: vmid (with or without cluster) vm_changes_vmid_cluster_newest_idx, since
    // vm_changes_changed_at_idx, and newest first with a limit the primary key read backwards.
    private static final String SELECT = "SELECT id, vm_id, vmid, proxmox_cluster, changed_at, kind, changes::text,"
            + " owner_id FROM public.vm_changes";
    private static final String BY_CLUSTER = "proxmox_cluster = ?";
    private static final String BY_VMID = "vmid = ?";
    private static final String SINCE = "changed_at >= now() - ?::bigint * INTERVAL '1 millisecond'";
    private static final String NEWEST_FIRST = " ORDER BY id DESC LIMIT ?";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource database;
    private final Duration statementTimeout;

    /**
     * @param database         connections as the daemon's role
     * @param statementTimeout the longest the read may run ({@code database.statement-timeout})
     */
    public HistoryReader(DataSource database, Duration statementTimeout) {
        this.database = database;
        this.statementTimeout = statementTimeout;
    }

    /**
     * The changes {@code filter} selects, newest first.
     *
     * @throws HistoryException when the table is missing, the role may not read it, or the database fails
     */
    public HistoryPage read(HistoryFilter filter) {
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try {
                HistoryPage page = read(c, filter);
                c.commit();
                return page;
            } catch (SQLException e) {
                throw failure(c, e);
            }
        } catch (SQLException e) {
            throw new HistoryException(HistoryException.Reason.DATABASE, firstLine(e), e);
        }
    }

    private HistoryPage read(Connection c, HistoryFilter filter) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION READ ONLY");
        }
        RlsContext.admin(c, statementTimeout);
        List<String> where = new ArrayList<>();
        filter.cluster().ifPresent(x -> where.add(BY_CLUSTER));
        filter.vmid().ifPresent(x -> where.add(BY_VMID));
        filter.since().ifPresent(x -> where.add(SINCE));
        String sql = SELECT + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + NEWEST_FIRST;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 0;
            if (filter.cluster().isPresent()) {
                ps.setString(++i, filter.cluster().get());
            }
            if (filter.vmid().isPresent()) {
                ps.setInt(++i, filter.vmid().getAsInt());
            }
            if (filter.since().isPresent()) {
                ps.setLong(++i, filter.since().get().toMillis());
            }
            // one more than asked: whether older changes exist beyond the limit, without a count
            ps.setInt(++i, filter.limit() + 1);
            List<HistoryEntry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(entry(rs));
                }
            }
            boolean more = entries.size() > filter.limit();
            return new HistoryPage(more ? entries.subList(0, filter.limit()) : entries, more);
        }
    }

    private static HistoryEntry entry(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        Object owner = rs.getObject("owner_id");
        return new HistoryEntry(id, rs.getInt("vm_id"), rs.getInt("vmid"), rs.getString("proxmox_cluster"),
                rs.getObject("changed_at", OffsetDateTime.class).toInstant(), rs.getString("kind"),
                owner == null ? null : ((Number) owner).intValue(), changes(id, rs.getString("changes")));
    }

    /** The stored jsonb as an object; pvesync writes objects only, anything else is shown as it is. */
    private static ObjectNode changes(long id, String text) throws SQLException {
        try {
            JsonNode node = JSON.readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.set("?", node);
            return wrapped;
        } catch (JsonProcessingException e) {
            // jsonb always reads back as valid JSON; this would be a driver fault
            throw new SQLException("vm_changes id " + id + ": changes is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The failure as the operator's next step: migrate, grant, or the database's own reason. */
    private static HistoryException failure(Connection c, SQLException e) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the original failure is the one to report
        }
        if (NO_SUCH_TABLE.equals(e.getSQLState())) {
            return new HistoryException(HistoryException.Reason.NOT_MIGRATED,
                    "public.vm_changes does not exist: the schema predates pvesync's change history", e);
        }
        if (DENIED.equals(e.getSQLState())) {
            return new HistoryException(HistoryException.Reason.NOT_GRANTED, firstLine(e) + lacking(c), e);
        }
        return new HistoryException(HistoryException.Reason.DATABASE, firstLine(e), e);
    }

    /** {@code "; the role lacks SELECT on public.vm_changes, ..."}, or empty when that cannot be told. */
    private static String lacking(Connection c) {
        try {
            List<String> missing = Grants.missing(c);
            return missing.isEmpty() ? "" : "; the role lacks " + String.join(", ", missing);
        } catch (SQLException e) {
            return "";
        }
    }

    private static String firstLine(SQLException e) {
        // the driver's message may go on over lines ("  Position: 158"); its first line says it
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
