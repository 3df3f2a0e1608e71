package io.pvesync.store;

import java.util.List;

/**
 * The AccountDB's policies and view as the owners' seed defines them (shared/seed/vms-table.md),
 * and the same with pvesync's one fix: {@code NULLIF(setting, '')}, because once a transaction-local
 * setting has been used on a connection, {@code current_setting(name, TRUE)} returns {@code ''}
 * there, and the seed's {@code ''::INTEGER} raises for everyone (DESIGN.md 3.7).
 */
final class SeedObjects {
    static final String TABLE = "public.vms";
    static final String VIEW = "public.vms_with_rls";
    static final String ADMIN_POLICY = "vms_admin_policy";
    static final String USER_POLICY = "vms_user_policy";

    /** The view's columns, in the seed's order (its {@code SELECT *} over the seed's table). */
    static final List<String> VIEW_COLUMNS = List.of("id", "vmid", "name", "ip_address", "status", "cpu_cores",
            "memory_mb", "disk_gb", "proxmox_node", "template_id", "notes", "created_at", "updated_at", "owner_id");
    /** pvesync's columns (V2), which the old V2 wrongly appended to the view. */
    static final List<String> PVESYNC_COLUMNS = List.of("proxmox_cluster", "incarnation", "last_seen_at", "retired_at");

    private static final String ADMIN = "current_setting('app.current_user_role', TRUE) = 'admin'";
    private static final String OWNER_SEED = "owner_id = current_setting('app.current_user_id', TRUE)::INTEGER";
    private static final String OWNER_FIXED =
            "owner_id = NULLIF(current_setting('app.current_user_id', TRUE), '')::INTEGER";

    /** One policy: its name and its USING expression as the seed writes it and as fixed. */
    record Policy(String name, String seedUsing, String fixedUsing) {
    }

    static final List<Policy> POLICIES = List.of(
            // the admin policy reads no integer: its fixed form is the seed's own
            new Policy(ADMIN_POLICY, ADMIN, ADMIN),
            new Policy(USER_POLICY, OWNER_SEED, OWNER_FIXED));

    static final String VIEW_SEED_WHERE = ADMIN + " OR " + OWNER_SEED;
    static final String VIEW_FIXED_WHERE = ADMIN + " OR " + OWNER_FIXED;

    private SeedObjects() {
    }

    /** The SELECT of the view over {@code columns} with {@code where}; the fixed view is {@link #VIEW_COLUMNS}. */
    static String viewQuery(List<String> columns, String where) {
        return "SELECT " + String.join(", ", columns) + " FROM " + TABLE + " WHERE " + where;
    }
}
