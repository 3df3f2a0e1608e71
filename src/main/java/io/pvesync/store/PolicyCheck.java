package io.pvesync.store;

import io.pvesync.store.Finding.Verdict;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Compares one of the seed's policies on {@code public.vms} with the catalog, and gives it the
 * NULLIF fix while it still is the seed's.
 */
final class PolicyCheck {
    private final Connection c;
    private final CatalogProbe probe;

    PolicyCheck(Connection c, CatalogProbe probe) {
        this.c = c;
        this.probe = probe;
    }

    static String object(SeedObjects.Policy policy) {
        return "policy " + policy.name() + " on " + SeedObjects.TABLE;
    }

    Finding inspect(SeedObjects.Policy policy) throws SQLException {
        String object = object(policy);
        try (PreparedStatement ps = c.prepareStatement("SELECT cmd, permissive, roles, qual, with_check"
                + " FROM pg_catalog.pg_policies WHERE schemaname = 'public' AND tablename = 'vms' AND policyname = ?")) {
            ps.setString(1, policy.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Finding(object, Verdict.ABSENT, "is absent where the seed has it");
                }
                String seedUsing = probe.policyUsing(policy.seedUsing());
                String fixedUsing = probe.policyUsing(policy.fixedUsing());
                String qual = rs.getString("qual");
                List<String> differences = new ArrayList<>();
                if (!"ALL".equals(rs.getString("cmd"))) {
                    differences.add("command is " + rs.getString("cmd") + " where the seed has ALL");
                }
                if (!"PERMISSIVE".equals(rs.getString("permissive"))) {
                    differences.add("it is " + rs.getString("permissive") + " where the seed's is PERMISSIVE");
                }
                List<String> roles = roles(rs.getArray("roles"));
                if (!roles.equals(List.of("public"))) {
                    differences.add("roles are " + String.join(", ", roles) + " where the seed has PUBLIC");
                }
                if (!Objects.equals(qual, seedUsing) && !Objects.equals(qual, fixedUsing)) {
                    differences.add("USING is " + (qual == null ? "absent" : qual) + " where the seed has " + seedUsing);
                }
                if (rs.getString("with_check") != null) {
                    differences.add("WITH CHECK is " + rs.getString("with_check") + " where the seed has none");
                }
                if (!differences.isEmpty()) {
                    return new Finding(object, Verdict.CHANGED, String.join("; ", differences));
                }
                return Finding.of(object, qual.equals(fixedUsing) ? Verdict.FIXED : Verdict.SEED);
            }
        }
    }

    /**
     * The seed's policy with the fixed USING. ALTER POLICY changes that expression only: the
     * policy's name, command, roles and comment stay, and there is no moment without it.
     */
    void fix(SeedObjects.Policy policy) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER POLICY " + policy.name() + " ON " + SeedObjects.TABLE + " USING (" + policy.fixedUsing() + ")");
        }
    }

    private static List<String> roles(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }
}
