package io.pvesync.store;

import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/** An AccountDB exactly as the owners' seed defines it (shared/seed/vms-table.md), with three rows. */
final class AccountDbSeed {
    static final List<String> VIEW_COLUMNS = List.of("id", "vmid", "name", "ip_address", "status", "cpu_cores",
            "memory_mb", "disk_gb", "proxmox_node", "template_id", "notes", "created_at", "updated_at", "owner_id");
    static final String NULLIF = "NULLIF(current_setting('app.current_user_id'::text, true), ''::text)";

    /** The owners' schema as the seed writes it (plus the application's users table), without rows. */
    static final String SCHEMA = """
            CREATE TABLE public.users (
                id SERIAL PRIMARY KEY,
                username VARCHAR(50) UNIQUE NOT NULL,
                email VARCHAR(100),
                role VARCHAR(20) DEFAULT 'user');
            CREATE TABLE public.vms
            (
                id SERIAL PRIMARY KEY,
                vmid INTEGER NOT NULL,
                name VARCHAR(100) NOT NULL,
                ip_address VARCHAR(45),
                status VARCHAR(20) DEFAULT 'stopped',
                cpu_cores INTEGER,
                memory_mb INTEGER,
                disk_gb INTEGER,
                proxmox_node VARCHAR(100),
                template_id INTEGER,
                notes TEXT,
                created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
                updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
                owner_id INTEGER REFERENCES public.users(id)
            );
            ALTER TABLE public.vms ENABLE ROW LEVEL SECURITY;
            CREATE POLICY vms_admin_policy ON public.vms
                FOR ALL
                TO PUBLIC
                USING (current_setting('app.current_user_role', TRUE) = 'admin');
            CREATE POLICY vms_user_policy ON public.vms
                FOR ALL
                TO PUBLIC
                USING (owner_id = current_setting('app.current_user_id', TRUE)::INTEGER);
            CREATE OR REPLACE VIEW public.vms_with_rls AS
            SELECT * FROM public.vms
            WHERE
                current_setting('app.current_user_role', TRUE) = 'admin'
                OR owner_id = current_setting('app.current_user_id', TRUE)::INTEGER;
            """;

    private static final String ROWS = """
            INSERT INTO public.users (username, email) VALUES ('alice', 'a@example.org'), ('bob', NULL);
            INSERT INTO public.vms (vmid, name, ip_address, status, notes, owner_id)
            VALUES (100, 'alice-web', '10.0.0.10', 'running', 'customer pays yearly', 1),
                   (101, 'bob-db', NULL, 'stopped', NULL, 2),
                   (102, 'spare', '2001:db8::1', 'error', 'no owner yet', NULL);
            """;

    private AccountDbSeed() {
    }

    static void create(TestDatabase db) throws SQLException {
        owner(db, SCHEMA + ROWS);
    }

    /** Runs statements as the owner (superuser on the test server). */
    static void owner(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The view's columns in their order, as information_schema numbers them. */
    static List<Object> viewColumns(Table table) throws SQLException {
        return table.query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                + " AND table_name = 'vms_with_rls' ORDER BY ordinal_position").stream()
                .map(r -> r.get("column_name")).toList();
    }

    /** Each seed policy's command, roles, USING and WITH CHECK as pg_policies shows them. */
    static List<Map<String, Object>> policies(Table table) throws SQLException {
        return table.query("SELECT policyname, cmd, permissive, array_to_string(roles, ',') AS roles, qual, with_check"
                + " FROM pg_policies WHERE schemaname = 'public' AND tablename = 'vms' ORDER BY policyname");
    }

    static String viewDefinition(Table table) throws SQLException {
        return (String) table.query("SELECT pg_get_viewdef('public.vms_with_rls'::regclass) AS d").get(0).get("d");
    }

    static Object reloptions(Table table) throws SQLException {
        return table.query("SELECT array_to_string(reloptions, ',') AS o FROM pg_class"
                + " WHERE oid = 'public.vms_with_rls'::regclass").get(0).get("o");
    }
}
