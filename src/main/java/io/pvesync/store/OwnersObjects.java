package io.pvesync.store;

import io.pvesync.store.Finding.Verdict;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AccountDB's policies and view belong to its owners (DESIGN.md 3.8): pvesync gives them the
 * NULLIF fix only while they are still the seed's (or pvesync's own earlier version of them), and
 * never silently replaces what the owners changed.
 */
final class OwnersObjects {
    /** The command-line flag that lets migrate go on past the owners' changes. */
    static final String KEEP_FLAG = "--keep-owner-changes";
    private static final Logger log = LoggerFactory.getLogger(OwnersObjects.class);

    private final Connection c;
    private final PolicyCheck policies;
    private final ViewCheck view;

    OwnersObjects(Connection c) {
        this.c = c;
        CatalogProbe probe = new CatalogProbe(c);
        this.policies = new PolicyCheck(c, probe);
        this.view = new ViewCheck(c, probe);
    }

    /** Each seed policy, then the view, as the catalog shows them now. */
    List<Finding> inspect() throws SQLException {
        List<Finding> findings = new ArrayList<>();
        for (SeedObjects.Policy policy : SeedObjects.POLICIES) {
            findings.add(policies.inspect(policy));
        }
        findings.add(view.inspect());
        return findings;
    }

    /**
     * Fixes what is still the seed's, repairs what the old V2 damaged, and leaves the rest.
     *
     * @throws StoreException when an object cannot be repaired, or when the owners changed one and
     *                        {@code changes} is {@link OwnerChanges#STOP}: nothing is altered then
     */
    void migrate(OwnerChanges changes) throws SQLException {
        try (Statement st = c.createStatement()) {
            // waiting forever for the ACCESS EXCLUSIVE lock would queue every application query behind us
            st.execute("SET LOCAL lock_timeout = '30s'");
        }
        List<Finding> findings = inspect();
        refuse(findings, changes, "migration 5 was rolled back, nothing of it applied");
        for (SeedObjects.Policy policy : SeedObjects.POLICIES) {
            Finding finding = findings.get(SeedObjects.POLICIES.indexOf(policy));
            if (finding.verdict() == Verdict.SEED) {
                policies.fix(policy);
                log.info("{} - still the seed's: its USING now reads an empty setting as no user (NULLIF)", finding.object());
            }
        }
        Finding viewFinding = findings.get(findings.size() - 1);
        ViewRewrite rewrite = new ViewRewrite(c);
        if (viewFinding.verdict() == Verdict.SEED) {
            rewrite.fix();
            log.info("{} - still the seed's: its WHERE now reads an empty setting as no user (NULLIF);"
                    + " options, owner, grants and comments kept", viewFinding.object());
        } else if (viewFinding.verdict() == Verdict.DAMAGED_BY_OLD_V2) {
            rewrite.rebuild();
            log.warn("{} - an earlier pvesync had appended its own columns to it and dropped its options: it"
                    + " has the seed's columns again, with its owner, grants and comments; options it had before"
                    + " that earlier migrate cannot be known: set them again if the view had them (ALTER VIEW {}"
                    + " SET (security_barrier = true, ...))", viewFinding.object(), SeedObjects.VIEW);
        }
        for (Finding finding : findings) {
            if (finding.ownersChange()) {
                log.warn("{} - changed by its owners ({}); left exactly as it is ({}). It does not get pvesync's"
                        + " NULLIF fix: if it casts current_setting(..., TRUE) to INTEGER, add NULLIF(..., '')"
                        + " yourself (README, \"pvesync migrate\")", finding.object(), finding.difference(), KEEP_FLAG);
            }
        }
    }

    /**
     * Stops before anything is altered when an object is in the way, or the owners changed one and
     * {@code changes} says stop. {@code outcome} says what was (not) applied, for the message.
     */
    static void refuse(List<Finding> findings, OwnerChanges changes, String outcome) {
        List<Finding> blocked = findings.stream().filter(f -> f.verdict() == Verdict.BLOCKED).toList();
        if (!blocked.isEmpty()) {
            throw new StoreException("pvesync cannot repair what an earlier pvesync did to the AccountDB; " + outcome
                    + ":\n" + lines(blocked));
        }
        List<Finding> changed = findings.stream().filter(Finding::ownersChange).toList();
        if (!changed.isEmpty() && changes == OwnerChanges.STOP) {
            throw new StoreException("the AccountDB's owners changed what pvesync would give the NULLIF fix to; "
                    + outcome + ":\n" + lines(changed) + "\nrestore the seed's definition, or run `pvesync migrate "
                    + KEEP_FLAG + "` to leave " + (changed.size() == 1 ? "it" : "them") + " exactly as "
                    + (changed.size() == 1 ? "it is" : "they are") + " and apply the rest");
        }
    }

    private static String lines(List<Finding> findings) {
        return findings.stream().map(f -> "  " + f).collect(Collectors.joining("\n"));
    }
}
