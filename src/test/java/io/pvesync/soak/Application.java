package io.pvesync.soak;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application that sells the VMs, as far as a soak needs it: it hands rows to customers and
 * writes notes while the daemon syncs, through its own connection as the tables' owner. It
 * remembers what each row should hold afterwards, read back from the row itself.
 */
final class Application implements AutoCloseable {

    /** The application-owned columns of one row, as the application last left them. */
    record Owned(Integer ownerId, String notes) {
        static final Owned NONE = new Owned(null, null);
    }

    private static final Logger log = LoggerFactory.getLogger(Application.class);

    private final Connection c;
    private final String cluster;
    private final List<Integer> customers = new ArrayList<>();
    private final Map<Integer, Owned> written = new HashMap<>();
    private final Tally writes = new Tally();

    Application(Connection c, String cluster, int customerCount) throws SQLException {
        this.c = c;
        this.cluster = cluster;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.users (username) VALUES (?) RETURNING id")) {
            for (int i = 1; i <= customerCount; i++) {
                ps.setString(1, "soak-customer-" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    customers.add(rs.getInt(1));
                }
            }
        }
    }

    /** Gives a random live row of the cluster an owner, a note, or both. */
    void writeOne(Random r) throws SQLException {
        List<Integer> live = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM public.vms WHERE proxmox_cluster = ? AND retired_at IS NULL ORDER BY id")) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    live.add(rs.getInt(1));
                }
            }
        }
        if (live.isEmpty()) {
            return;
        }
        int id = live.get(r.nextInt(live.size()));
        int what = r.nextInt(3);
        String set = switch (what) {
            case 0 -> "owner_id = ?";
            case 1 -> "notes = ?";
            default -> "owner_id = ?, notes = ?";
        };
        try (PreparedStatement ps = c.prepareStatement("UPDATE public.vms SET " + set + " WHERE id = ?"
                + " RETURNING owner_id, notes")) {
            int i = 1;
            if (what != 1) {
                ps.setInt(i++, customers.get(r.nextInt(customers.size())));
            }
            if (what != 0) {
                ps.setString(i++, "soak note " + r.nextInt(1_000_000) + ": customer asked for a bigger disk");
            }
            ps.setInt(i, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Owned owned = new Owned(rs.getObject(1, Integer.class), rs.getString(2));
                written.put(id, owned);
                log.info("soak - application: row {} now {}", id, owned);
            }
        }
        writes.add(what == 0 ? "owner" : what == 1 ? "notes" : "owner+notes");
    }

    /** Row id to what the application last wrote into it. */
    Map<Integer, Owned> written() {
        return Map.copyOf(written);
    }

    Tally writes() {
        return writes;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
