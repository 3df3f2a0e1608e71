package io.pvesync.schedule;

import io.pvesync.sync.SyncMode;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job of one cluster. Every trigger of the cluster (poll, reconcile, manual) fires this
 * one job, and {@code @DisallowConcurrentExecution} holds a trigger back while a pass runs: never two
 * passes of one cluster at once. Its data holds only strings, so a JDBC job store can keep it.
 */
@DisallowConcurrentExecution
public final class PassJob implements InterruptableJob {
    static final String CLUSTER = "cluster";
    static final String MODE = "mode";
    static final String MANUAL = "manual";

    private final RunnerRegistry runners;
    private volatile Thread worker;

    PassJob(RunnerRegistry runners) {
        this.runners = runners;
    }

    @Override
    public void execute(JobExecutionContext context) {
        JobDataMap data = context.getMergedJobDataMap();
        ClusterRunner runner = runners.get(data.getString(CLUSTER));
        if (runner == null) {
            return; // a job left in a shared job store for a cluster this instance does not know
        }
        SyncMode mode = SyncMode.valueOf(data.getString(MODE));
        boolean manual = Boolean.parseBoolean(data.getString(MANUAL));
        worker = Thread.currentThread();
        try {
            runner.run(mode, manual);
        } finally {
            worker = null;
            Thread.interrupted(); // an interrupt for this pass must not reach the pool thread's next job
        }
    }

    /** Shutdown: cut the pass short; lookups stop and nothing more is written. */
    @Override
    public void interrupt() {
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Where jobs find their cluster's runner. */
    interface RunnerRegistry {
        ClusterRunner get(String cluster);
    }
}
