package io.pvesync.schedule;

import io.pvesync.config.ScheduleConfig;
import io.pvesync.status.ResyncTrigger;
import io.pvesync.sync.ClusterPass;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.quartz.impl.SchedulerRepository;
import java.util.concurrent.CompletableFuture;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.listeners.TriggerListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every cluster's passes on Quartz: per cluster one job with a poll trigger (every
 * {@code schedule.poll}, the first pass at once and a full one) and a reconcile trigger
 * ({@code schedule.reconcile} cron). Manual requests fire the same job. Missed fires (the machine
 * slept, a pass ran long) coalesce into one run.
 */
public final class SyncScheduler implements ResyncTrigger, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncScheduler.class);
    private static final String GROUP = "pvesync";

    private final ScheduleConfig schedule;
    private final Map<String, ClusterRunner> runners = new LinkedHashMap<>();
    private final PassListener listener;
    private final Scheduler scheduler;
    private final boolean clustered;
    private final ExecutorService manualPasses;

    /**
     * @param maxBackoff the longest rest of a failing cluster between scheduled attempts
     */
    public SyncScheduler(ScheduleConfig schedule, List<? extends ClusterPass> passes, PassListener listener,
                         Duration maxBackoff, Clock clock) throws SchedulerException {
        this(schedule, passes, listener, maxBackoff, clock, PassGate.OPEN, null);
    }

    /**
     * @param gate     admits one pass per cluster across instances
     * @param jobStore with {@code schedule.clustered}: the database of Quartz's shared job store
     *                 (a pool of its own); null for the in-memory store of a single instance
     */
    public SyncScheduler(ScheduleConfig schedule, List<? extends ClusterPass> passes, PassListener listener,
                         Duration maxBackoff, Clock clock, PassGate gate, DataSource jobStore)
            throws SchedulerException {
        this.schedule = schedule;
        this.listener = listener;
        this.clustered = jobStore != null;
        Backoff backoff = new Backoff(schedule.poll(), maxBackoff.compareTo(schedule.poll()) > 0 ? maxBackoff : schedule.poll());
        for (ClusterPass pass : passes) {
            runners.put(pass.cluster(), new ClusterRunner(pass, backoff, listener, gate, clock));
        }
        Properties properties = QuartzSettings.properties(passes.size(), schedule.poll(), jobStore);
        this.scheduler = new StdSchedulerFactory(properties).getScheduler();
        // Quartz keeps schedulers in a JVM-wide repository by name; we hold ours, so another
        // instance of the same name (clustered instances share the name) can be made beside it
        SchedulerRepository.getInstance().remove(scheduler.getSchedulerName());
        this.manualPasses = clustered ? Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pvesync-manual-pass");
            t.setDaemon(true);
            return t;
        }) : null;
        scheduler.setJobFactory((bundle, s) -> new PassJob(runners::get));
        scheduler.getListenerManager().addTriggerListener(new NextRunReporter());
    }

    /**
     * Schedules every cluster's triggers and starts. Each cluster's first pass, at once, is a full
     * one (every config and address read), then polls follow every interval.
     *
     * <p>The clusters' polls are spread evenly over the interval, the first cluster's one interval
     * after the start, the next ones a share of the interval later each (the last cluster's first
     * poll thus comes up to two intervals after its first pass, once). Started together, every
     * cluster's poll would otherwise fire in the same second, every interval, for as long as the
     * daemon runs: with 100 clusters, 100 passes waiting at once for the few connections of the
     * pool (database.pool-size) and for the cores, each pass started late by that queue
     * (BENCHMARKS.md, "Many clusters in one instance").
     */
    public void start() throws SchedulerException {
        Instant firstPolls = Instant.now().plus(schedule.poll());
        int index = 0;
        for (String cluster : runners.keySet()) {
            JobDetail job = JobBuilder.newJob(PassJob.class)
                    .withIdentity(jobKey(cluster))
                    .usingJobData(PassJob.CLUSTER, cluster)
                    .storeDurably()
                    .build();
            // replace: a shared job store keeps them from the last start, with an older schedule perhaps
            Instant firstPoll = firstPolls.plus(schedule.poll().multipliedBy(index++).dividedBy(runners.size()));
            scheduler.scheduleJob(job, Set.of(pollTrigger(cluster, firstPoll), reconcileTrigger(cluster)), true);
            JobDataMap first = new JobDataMap();
            first.put(PassJob.MODE, SyncMode.RECONCILE.name());
            scheduler.triggerJob(jobKey(cluster), first);
        }
        scheduler.start();
    }

    private Trigger pollTrigger(String cluster, Instant firstPoll) {
        JobDataMap data = new JobDataMap();
        data.put(PassJob.MODE, SyncMode.POLL.name());
        return TriggerBuilder.newTrigger()
                .withIdentity(new TriggerKey("poll-" + cluster, GROUP))
                .forJob(jobKey(cluster))
                .usingJobData(data)
                .startAt(Date.from(firstPoll))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(schedule.poll().toMillis())
                        .repeatForever()
                        // missed fires become one run now, then the rhythm resumes from there
                        .withMisfireHandlingInstructionNowWithExistingCount())
                .build();
    }

    private Trigger reconcileTrigger(String cluster) {
        JobDataMap data = new JobDataMap();
        data.put(PassJob.MODE, SyncMode.RECONCILE.name());
        return TriggerBuilder.newTrigger()
                .withIdentity(new TriggerKey("reconcile-" + cluster, GROUP))
                .forJob(jobKey(cluster))
                .usingJobData(data)
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule.reconcile())
                        // however many were missed: one run now
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
    }

    private static JobKey jobKey(String cluster) {
        return new JobKey("pass-" + cluster, GROUP);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The pass is a full reconcile, fired through the cluster's job, so it waits for a pass in
     * flight rather than running beside it; it ignores the cluster's backoff.
     */
    @Override
    public Map<String, CompletableFuture<SyncOutcome>> request(List<String> clusters) {
        Map<String, CompletableFuture<SyncOutcome>> out = new LinkedHashMap<>();
        for (String cluster : clusters) {
            ClusterRunner runner = runners.get(cluster);
            if (runner == null) {
                throw new IllegalArgumentException("no cluster named " + cluster);
            }
            ClusterRunner.Request request = runner.request();
            if (request.trigger() && clustered) {
                // Quartz may fire a shared job on any instance, and only this one can complete the
                // request; the pass lock keeps it from running beside another instance's pass
                manualPasses.submit(() -> runner.run(SyncMode.RECONCILE, true));
                log.info("cluster={} - resync requested", cluster);
            } else if (request.trigger()) {
                JobDataMap data = new JobDataMap();
                data.put(PassJob.MODE, SyncMode.RECONCILE.name());
                data.put(PassJob.MANUAL, "true");
                try {
                    scheduler.triggerJob(jobKey(cluster), data);
                    log.info("cluster={} - resync requested", cluster);
                } catch (SchedulerException e) {
                    runner.cancel(request, e);
                }
            }
            out.put(cluster, request.outcome());
        }
        return out;
    }

    /**
     * Stops: no new passes start, a pass in flight is interrupted (its lookups stop and it writes
     * nothing more; a transaction already running commits or rolls back as a whole), and this waits
     * up to {@code limit} for it.
     */
    public void stop(Duration limit) {
        if (manualPasses != null) {
            manualPasses.shutdownNow();
        }
        try {
            scheduler.standby();
            for (JobExecutionContext running : scheduler.getCurrentlyExecutingJobs()) {
                scheduler.interrupt(running.getFireInstanceId());
            }
        } catch (SchedulerException e) {
            log.warn("scheduler - could not interrupt running passes: {}", e.getMessage());
        }
        Thread waiter = new Thread(() -> {
            try {
                scheduler.shutdown(true);
            } catch (SchedulerException e) {
                log.warn("scheduler - shutdown: {}", e.getMessage());
            }
        }, "pvesync-scheduler-stop");
        waiter.setDaemon(true);
        waiter.start();
        try {
            waiter.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (waiter.isAlive()) {
            log.warn("scheduler - a pass was still running after {} s; it is abandoned (its transaction,"
                    + " if any, rolls back when the connection closes)", limit.toSeconds());
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(8));
    }

    /** Reports each cluster's next scheduled run after every fire. */
    private final class NextRunReporter extends TriggerListenerSupport {
        @Override
        public String getName() {
            return "pvesync-next-run";
        }

        @Override
        public void triggerComplete(Trigger trigger, JobExecutionContext context,
                                    Trigger.CompletedExecutionInstruction instruction) {
            String cluster = context.getMergedJobDataMap().getString(PassJob.CLUSTER);
            try {
                Date next = null;
                for (Trigger t : scheduler.getTriggersOfJob(jobKey(cluster))) {
                    Date fire = t.getNextFireTime();
                    if (fire != null && (next == null || fire.before(next))) {
                        next = fire;
                    }
                }
                if (next != null) {
                    listener.scheduled(cluster, next.toInstant());
                }
            } catch (SchedulerException e) {
                log.debug("cluster={} - next run unknown: {}", cluster, e.getMessage());
            }
        }
    }

    /** When the cluster's first scheduled poll fires; for tests. */
    Instant firstPoll(String cluster) throws SchedulerException {
        return scheduler.getTrigger(new TriggerKey("poll-" + cluster, GROUP)).getStartTime().toInstant();
    }

    /** Instant of the next fire of the cluster's triggers; for tests and the status endpoint. */
    Instant nextRun(String cluster) throws SchedulerException {
        Instant next = null;
        for (Trigger t : scheduler.getTriggersOfJob(jobKey(cluster))) {
            Date fire = t.getNextFireTime();
            if (fire != null && (next == null || fire.toInstant().isBefore(next))) {
                next = fire.toInstant();
            }
        }
        return next;
    }
}
