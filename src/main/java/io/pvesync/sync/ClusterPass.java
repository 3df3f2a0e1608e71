package io.pvesync.sync;

/** One cluster's pass, as the scheduler runs it. {@link ClusterSync} is the real one. */
public interface ClusterPass {

    /** The configured cluster name. */
    String cluster();

    /** Runs one pass and reports how it ended; never throws. */
    SyncOutcome run(SyncMode mode);
}
