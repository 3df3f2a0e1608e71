package io.pvesync.store;

/**
 * What migration 5 found for one of the owners' objects, and so what it does with it.
 *
 * @param object     the object as an operator names it ({@code policy vms_user_policy on public.vms})
 * @param verdict    how it compares with the seed
 * @param difference for {@link Verdict#CHANGED}, {@link Verdict#ABSENT} and {@link Verdict#BLOCKED}:
 *                   how it differs or what is in the way; empty otherwise
 */
record Finding(String object, Verdict verdict, String difference) {
    enum Verdict {
        /** Still the seed's definition: gets the NULLIF fix. */
        SEED,
        /** Already the fixed definition: left as it is. */
        FIXED,
        /** The view as the old V2 left it (pvesync's columns appended, options lost): rebuilt. */
        DAMAGED_BY_OLD_V2,
        /** The owners changed it: left alone, and migrate stops unless told to keep it. */
        CHANGED,
        /** The owners dropped it: left absent, and migrate stops unless told to keep that. */
        ABSENT,
        /** Cannot be repaired without dropping the owners' other objects: migrate always stops. */
        BLOCKED
    }

    static Finding of(String object, Verdict verdict) {
        return new Finding(object, verdict, "");
    }

    /** Left alone because the owners made it so: the flag decides whether migrate goes on. */
    boolean ownersChange() {
        return verdict == Verdict.CHANGED || verdict == Verdict.ABSENT;
    }

    @Override
    public String toString() {
        return difference.isEmpty() ? object : object + ": " + difference;
    }
}
