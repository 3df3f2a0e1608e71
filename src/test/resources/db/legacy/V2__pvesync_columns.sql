-- The columns pvesync needs to keep the table true to Proxmox (DESIGN.md 3.1, 3.2). All nullable
-- without a default: adding them rewrites no row, and the application's inserts need not know them.

SET LOCAL lock_timeout = '30s';
-- The IF [NOT] EXISTS clauses below announce "already exists, skipping" as NOTICEs, which Flyway
-- logs as warnings; on an existing AccountDB they are the expected case, not something to check.
SET LOCAL client_min_messages = warning;

ALTER TABLE public.vms
    ADD COLUMN IF NOT EXISTS proxmox_cluster VARCHAR(100),
    ADD COLUMN IF NOT EXISTS incarnation VARCHAR(100),
    ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS retired_at TIMESTAMPTZ;

COMMENT ON COLUMN public.vms.proxmox_cluster IS
    'pvesync: the configured Proxmox cluster; with vmid the identity of a live row. NULL: not (yet) synced';
COMMENT ON COLUMN public.vms.incarnation IS
    'pvesync: marker of the VM behind the VMID (QEMU meta ctime or smbios1 uuid); a new marker means the VMID was reused';
COMMENT ON COLUMN public.vms.last_seen_at IS
    'pvesync: when a sync last saw the VM (refreshed on changes and in reconcile passes, not on every poll)';
COMMENT ON COLUMN public.vms.retired_at IS
    'pvesync: when the VMID was reused by another VM; the row is kept for its owner and notes';

-- A VMID is unique within one cluster at a time. Rows of reused VMIDs keep their (cluster, vmid)
-- after retirement, so they are left out; so are rows not yet adopted by any cluster.
CREATE UNIQUE INDEX IF NOT EXISTS vms_cluster_vmid_live_key
    ON public.vms (proxmox_cluster, vmid)
    WHERE proxmox_cluster IS NOT NULL AND retired_at IS NULL;

-- Every pass looks for application-inserted rows to adopt by VMID; without this it would scan the table.
CREATE INDEX IF NOT EXISTS vms_unadopted_vmid_idx
    ON public.vms (vmid)
    WHERE proxmox_cluster IS NULL AND retired_at IS NULL;

-- SELECT * was expanded when the view was created: recreate it so it shows the new columns
-- (they append at the end, which CREATE OR REPLACE VIEW allows).
CREATE OR REPLACE VIEW public.vms_with_rls AS
SELECT * FROM public.vms
WHERE
    current_setting('app.current_user_role', TRUE) = 'admin'
    OR owner_id = NULLIF(current_setting('app.current_user_id', TRUE), '')::INTEGER;
