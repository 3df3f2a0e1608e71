package io.pvesync.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz's settings, in code rather than left to defaults that log warnings: one thread per
 * cluster plus one (a slow cluster never delays another), named threads, a misfire threshold tied
 * to the poll interval, and either the in-memory job store (one instance) or the clustered JDBC
 * job store in schema pvesync (several instances).
 */
final class QuartzSettings {
    /** The name clustered instances share: it is the job store's SCHED_NAME. */
    static final String CLUSTER_NAME = "pvesync";
    /** How often a clustered instance checks in; a silent one's jobs move on after about this long. */
    static final Duration CHECKIN_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MAX_MISFIRE_THRESHOLD = Duration.ofSeconds(5);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private QuartzSettings() {
    }

    static Properties properties(int clusters, Duration poll, DataSource jobStore) {
        Properties p = new Properties();
        int instance = INSTANCES.incrementAndGet();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INTERRUPT_JOBS_ON_SHUTDOWN_WITH_WAIT, "true");
        p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(clusters + 1));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "pvesync-pass");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        // A fire more than this late is a misfire and coalesces into one run. It must be short
        // against the poll interval: a poll held back by a long pass would otherwise fire again
        // for every interval it missed, back to back, to catch up.
        long threshold = Math.min(poll.toMillis() / 2, MAX_MISFIRE_THRESHOLD.toMillis());
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(Math.max(threshold, 1)));
        if (jobStore == null) {
            p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "pvesync-" + instance);
            p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "pvesync");
            p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
            return p;
        }
        String dataSource = "pvesync-jobstore-" + instance;
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new PoolProvider(jobStore));
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, CLUSTER_NAME);
        // host name and start time: unique per instance, and readable in qrtz_scheduler_state
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.tablePrefix", "pvesync.qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECKIN_INTERVAL.toMillis()));
        // job data as strings only: nothing Java-serialized in the shared tables
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        return p;
    }

    /** Quartz borrows its connections from a pool of pvesync's own. */
    private record PoolProvider(DataSource pool) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool belongs to the daemon, which closes it after the scheduler
        }

        @Override
        public void initialize() {
            // the pool is ready when handed over
        }
    }
}
