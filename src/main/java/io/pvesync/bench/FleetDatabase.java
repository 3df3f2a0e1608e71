package io.pvesync.bench;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * The fleet benchmark's database, {@value #NAME}, fresh for every run on the given server
 * ({@link FreshDatabase}), the daemon logging in as the role {@value #ROLE}.
 */
final class FleetDatabase {
    static final String NAME = "pvesync_fleet";
    static final String ROLE = "pvesync_fleet";

    final String url;
    final String password;
    private final FreshDatabase admin;

    private FleetDatabase(String url, String password, FreshDatabase admin) {
        this.url = url;
        this.password = password;
        this.admin = admin;
    }

    /**
     * @param serverUrl any database's URL on the server (the admin connects there to create ours)
     * @param adminPassword null for trust authentication
     */
    static FleetDatabase create(String serverUrl, String adminUser, String adminPassword)
            throws SQLException, IOException {
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        // named so that the sampler does not count the admin's connections as the daemon's
        FreshDatabase admin = new FreshDatabase(adminUser, adminPassword, FleetSampler.APPLICATION_NAME);
        return new FleetDatabase(admin.create(serverUrl, NAME, ROLE, password), password, admin);
    }

    /** A connection as the admin to our database, named so that it is not counted as the daemon's. */
    Connection admin() throws SQLException {
        Connection c = admin.connect(url);
        c.setAutoCommit(true);
        return c;
    }
}
