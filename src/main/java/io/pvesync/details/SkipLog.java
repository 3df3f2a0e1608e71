package io.pvesync.details;


import io.pvesync.details.PassSkips.LeftAlone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Logs the lookups one cluster's passes skip, as states: a node left alone is warned when that
 * begins (or its cause changes from slow to unreachable or back), with the lookups it cost, and
 * told at INFO when the node answers a guest call again; while it lasts, each pass says so at
 * DEBUG only ({@code /status} shows it every pass). The same for the pass budget: warned when
 * passes begin to run out of it, INFO when one makes all its lookups again. Part of one cluster's
 * {@link GuestDetails}, whose passes never overlap.
 */
final class SkipLog {

    // the logger of GuestDetails: an operator filters on the class that does the lookups
    private static final Logger log = LoggerFactory.getLogger(GuestDetails.class);

    private final String cluster;
    /** Nodes left alone by the passes so far and not heard from since, with whether unreachable. */
    private final Map<String, Boolean> leftAlone = new HashMap<>();
    private boolean budgetSpent;

    SkipLog(String cluster) {
        this.cluster = cluster;
    }

    /**
     * @param reached the nodes that answered some guest call this pass
     * @param planned the guests whose lookups this pass planned
     */
    void passEnded(PassSkips skips, Set<String> reached, int planned) {
        Map<String, LeftAlone> now = skips.leftAlone();
        now.forEach((node, why) -> nodeLeftAlone(skips, node, why));
        for (String node : reached) {
            if (!now.containsKey(node) && leftAlone.remove(node) != null) {
                log.info("cluster={} node={} - node answers guest calls again; its guests' lookups resume", cluster,
                        node);
            }
        }
        int overBudget = skips.counts().deadline();
        if (overBudget > 0 && !budgetSpent) {
            budgetSpent = true;
            log.warn("cluster={} - guest lookups stopped when this pass's budget of {} was spent: {} of {} guests'"
                    + " lookups wait for the next pass (their rows keep the listing's values and their stored"
                    + " addresses). If this persists, raise clusters[].addresses.budget or look for a slow node in"
                    + " /status", cluster, PassSkips.format(skips.budget()), overBudget, planned);
        } else if (overBudget > 0) {
            log.debug("cluster={} - guest lookups over budget again: {} skipped", cluster, overBudget);
        } else if (budgetSpent && planned > 0) {
            budgetSpent = false;
            log.info("cluster={} - guest lookups fit the pass budget of {} again", cluster,
                    PassSkips.format(skips.budget()));
        }
    }

    private void nodeLeftAlone(PassSkips skips, String node, LeftAlone why) {
        Boolean before = leftAlone.put(node, why.unreachable());
        int skipped = skips.skippedOn(node);
        if (before != null && before == why.unreachable()) {
            log.debug("cluster={} node={} - still left alone: {}; {} lookups skipped", cluster, node, why.why(), skipped);
        } else if (why.unreachable()) {
            log.warn("cluster={} node={} - node unreachable through the API ({}); {} more lookups skipped this pass,"
                    + " its guests' addresses are kept until it answers again (check the node and corosync)",
                    cluster, node, why.detail(), skipped);
        } else {
            log.warn("cluster={} node={} - node not answering guest calls in time ({}); left alone for this pass:"
                    + " {} more lookups skipped, its guests keep their listing values and stored addresses, and it is"
                    + " asked again next pass (check the node's load, its pvedaemon and storage, and hung guest"
                    + " agents)", cluster, node, why.detail(), skipped);
        }
    }
}
