package io.pvesync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The Java counterpart of the AccountDB's {@code rls_context(conn, user_id, user_role)}: sets
 * {@code app.current_user_role} and {@code app.current_user_id}, which the row-level security
 * policies of {@code public.vms} and the view {@code public.vms_with_rls} read.
 *
 * <p>The settings are <b>transaction-local</b> ({@code set_config(..., true)}): they end with the
 * transaction, so a pooled connection never carries the admin role to its next borrower. Hence
 * every method here must run inside a transaction (autocommit off) and sets the context for the
 * rest of that transaction only.
 */
public final class RlsContext {
    /** The role value the admin policy grants everything to. */
    public static final String ADMIN_ROLE = "admin";
    /** The role value of an ordinary user: the user policy shows the rows it owns. */
    public static final String USER_ROLE = "user";

    private static final String SET = "SELECT set_config('app.current_user_role', ?, true),"
            + " set_config('app.current_user_id', ?, true)";

    // the admin context and the transaction's statement bound in one round trip: every pass
    // opens two transactions, and an unchanged poll is only a handful of statements
    private static final String SET_BOUNDED = "SELECT set_config('app.current_user_role', ?, true),"
            + " set_config('app.current_user_id', '', true), set_config('statement_timeout', ?, true)";

    private RlsContext() {
    }

    /**
     * Admin for the rest of the current transaction, whose every statement may run at most
     * {@code statementTimeout} (transaction-local too: the pool's next borrower gets the default).
     *
     * @throws IllegalStateException when {@code conn} is in autocommit mode
     */
    public static void admin(Connection conn, java.time.Duration statementTimeout) throws SQLException {
        requireTransaction(conn);
        try (PreparedStatement ps = conn.prepareStatement(SET_BOUNDED)) {
            ps.setString(1, ADMIN_ROLE);
            ps.setString(2, Long.toString(statementTimeout.toMillis())); // a bare number: milliseconds
            ps.execute();
        }
    }

    /**
     * Admin for the rest of the current transaction: every row of {@code public.vms}.
     *
     * @throws IllegalStateException when {@code conn} is in autocommit mode
     */
    public static void admin(Connection conn) throws SQLException {
        set(conn, ADMIN_ROLE, null);
    }

    /**
     * User {@code userId} for the rest of the current transaction: only the rows it owns.
     *
     * @throws IllegalStateException when {@code conn} is in autocommit mode
     */
    public static void user(Connection conn, int userId) throws SQLException {
        set(conn, USER_ROLE, userId);
    }

    /**
     * Any role and user, like the seed's {@code rls_context(conn, user_id, user_role)}; a null
     * value is stored as the empty setting, which the policies read as "none".
     *
     * @throws IllegalStateException when {@code conn} is in autocommit mode
     */
    public static void set(Connection conn, String role, Integer userId) throws SQLException {
        requireTransaction(conn);
        try (PreparedStatement ps = conn.prepareStatement(SET)) {
            ps.setString(1, role == null ? "" : role);
            ps.setString(2, userId == null ? "" : Integer.toString(userId));
            ps.execute();
        }
    }

    private static void requireTransaction(Connection conn) throws SQLException {
        if (conn.getAutoCommit()) {
            // in autocommit mode the SELECT is its own transaction: the context would be gone
            // before the next statement, which would then silently see no rows
            throw new IllegalStateException("RlsContext needs a transaction: call setAutoCommit(false) on the "
                    + "connection first (the context is transaction-local so a pooled connection never keeps it)");
        }
    }
}
