package io.pvesync.sync;

/** What kind of pass runs. */
public enum SyncMode {
    /** the frequent poll: guests get a closer look only when new or changed */
    POLL,
    /** the full pass: every guest's config and address are read again and last_seen_at is refreshed */
    RECONCILE
}
