-- The change history (DESIGN.md 4.5): one row per change pvesync makes to a row of public.vms,
-- written in the same statement as the change, so a change and its history commit together or not
-- at all. In schema public beside vms because the application reads it under the same row-level
-- security. A new table: no row or object of the AccountDB changes.
--
-- No foreign keys, on purpose: the history of a VM must survive whatever happens to its vms row
-- (the application may delete it) and to its owner's users row, for as long as history.retention
-- says; a foreign key would either block those deletes or take the history with them.

SET LOCAL lock_timeout = '30s';

CREATE TABLE public.vm_changes
(
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vm_id           INTEGER      NOT NULL,
    vmid            INTEGER      NOT NULL,
    proxmox_cluster VARCHAR(100) NOT NULL,
    changed_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    kind            VARCHAR(20)  NOT NULL
        CONSTRAINT vm_changes_kind_check
            CHECK (kind IN ('inserted', 'updated', 'missing', 'restored', 'retired', 'adopted')),
    changes         JSONB        NOT NULL,
    owner_id        INTEGER
);

COMMENT ON TABLE public.vm_changes IS
    'pvesync: every change pvesync made to a row of public.vms, under the same row-level security; pruned after history.retention';
COMMENT ON COLUMN public.vm_changes.vm_id IS 'the vms.id of the row that changed (no foreign key: the history outlives the row)';
COMMENT ON COLUMN public.vm_changes.changes IS 'the columns that changed: {"column": [old, new]}';
COMMENT ON COLUMN public.vm_changes.owner_id IS 'the row''s owner_id when the change was made: who may read this change';

-- "this VM, newest first" (the application's VM page), "this VMID, newest first" in one cluster
-- or in all (who had this VMID before: pvesync history --vmid), "this customer's VMs, newest
-- first" (the user policy's own filter), and the pruning by age.
CREATE INDEX vm_changes_vm_newest_idx ON public.vm_changes (vm_id, id DESC);
CREATE INDEX vm_changes_vmid_cluster_newest_idx ON public.vm_changes (vmid, proxmox_cluster, id DESC);
CREATE INDEX vm_changes_owner_newest_idx ON public.vm_changes (owner_id, id DESC)
    WHERE owner_id IS NOT NULL;
CREATE INDEX vm_changes_changed_at_idx ON public.vm_changes (changed_at);

-- The same two rules as public.vms (with the NULLIF fix, DESIGN.md 3.7): the admin context sees
-- every change, a user context the changes of the rows it owned when they were made, no context
-- none. The user policy only reads: the history is pvesync's record, written and pruned under
-- the admin context, never rewritten by a user's session.
-- FORCE: the table's owner is the role that migrates, usually the AccountDB's owner, and an
-- application connected as that role would otherwise bypass the policies. public.vms has
-- vms_with_rls for such readers; the history has no view, so the policies bind its owner too.
ALTER TABLE public.vm_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.vm_changes FORCE ROW LEVEL SECURITY;

CREATE POLICY vm_changes_admin_policy ON public.vm_changes
    FOR ALL
    TO PUBLIC
    USING (current_setting('app.current_user_role', TRUE) = 'admin');

CREATE POLICY vm_changes_user_policy ON public.vm_changes
    FOR SELECT
    TO PUBLIC
    USING (owner_id = NULLIF(current_setting('app.current_user_id', TRUE), '')::INTEGER);
