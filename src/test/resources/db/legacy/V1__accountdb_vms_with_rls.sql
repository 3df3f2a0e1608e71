-- The AccountDB's vms table as its owners defined it (shared/seed/vms-table.md), so pvesync can run
-- on an empty database as well as on an existing AccountDB. Every statement keeps what exists:
-- on an existing database no row is rewritten, only the policies and the view are recreated.
-- Flyway sets search_path to the pvesync schema, hence every name is qualified with public.

-- Waiting forever for the ACCESS EXCLUSIVE lock would queue every application query behind this
-- migration; fail instead and let the operator retry at a quieter moment.
SET LOCAL lock_timeout = '30s';
-- The IF [NOT] EXISTS clauses below announce "already exists, skipping" as NOTICEs, which Flyway
-- logs as warnings; on an existing AccountDB they are the expected case, not something to check.
SET LOCAL client_min_messages = warning;

-- Minimal stand-in for the application's users table, only so the foreign key below has a target
-- on an empty database. An existing users table is left exactly as it is.
CREATE TABLE IF NOT EXISTS public.users
(
    id       SERIAL PRIMARY KEY,
    username VARCHAR(100) UNIQUE
);

CREATE TABLE IF NOT EXISTS public.vms
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

-- The seed's policies with one fix: once a transaction-local setting has been used on a
-- connection, current_setting(name, TRUE) returns '' instead of NULL there, and ''::INTEGER raises
-- "invalid input syntax for type integer" for everyone, admins included. NULLIF turns the empty
-- setting into "no user". Dropped and created in this one transaction: no moment without policies.
DROP POLICY IF EXISTS vms_admin_policy ON public.vms;
CREATE POLICY vms_admin_policy ON public.vms
    FOR ALL
    TO PUBLIC
    USING (current_setting('app.current_user_role', TRUE) = 'admin');

DROP POLICY IF EXISTS vms_user_policy ON public.vms;
CREATE POLICY vms_user_policy ON public.vms
    FOR ALL
    TO PUBLIC
    USING (owner_id = NULLIF(current_setting('app.current_user_id', TRUE), '')::INTEGER);

CREATE OR REPLACE VIEW public.vms_with_rls AS
SELECT * FROM public.vms
WHERE
    current_setting('app.current_user_role', TRUE) = 'admin'
    OR owner_id = NULLIF(current_setting('app.current_user_id', TRUE), '')::INTEGER;
