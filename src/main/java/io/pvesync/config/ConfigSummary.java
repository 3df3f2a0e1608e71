package io.pvesync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The effective configuration as log lines, logged once at start so an operator sees what the
 * daemon really runs with (defaults included). Secrets show only whether they are set.
 */
public final class ConfigSummary {
    private ConfigSummary() {
    }

    public static List<String> lines(PvesyncConfig config) {
        List<String> lines = new ArrayList<>();
        DatabaseConfig db = config.database();
        lines.add("config " + config.source() + ": database " + db.displayUrl() + " as " + db.username()
                + " (password " + (db.password().isPresent() ? "<masked>" : "none") + "), pool " + db.poolSize()
                + ", statement timeout " + Durations.format(db.statementTimeout()));
        ScheduleConfig s = config.schedule();
        StatusConfig st = config.status();
        lines.add("config: poll every " + Durations.format(s.poll()) + ", reconcile \"" + s.reconcile()
                + "\", clustered " + s.clustered() + "; status on " + st.listen().getHostString() + ":"
                + st.listen().getPort() + ", resync token " + (st.resyncToken().isPresent() ? "<masked>" : "none")
                + ", stale after " + Durations.format(st.staleAfter()) + "; logs as "
                + config.logging().format().name().toLowerCase(Locale.ROOT) + "; history kept "
                + config.history().pruneAfter().map(Durations::format).orElse("forever"));
        for (ClusterConfig c : config.clusters()) {
            MissingPolicy m = c.missing();
            lines.add("config: cluster=" + c.name() + " endpoints " + c.endpoints() + ", token " + c.tokenId()
                    + " (secret <masked>), tls " + tls(c.tls()) + ", containers " + (c.includeContainers() ? "yes" : "no")
                    + ", timeouts connect " + Durations.format(c.connectTimeout()) + " read "
                    + Durations.format(c.readTimeout()) + ", addresses timeout " + Durations.format(c.addressTimeout())
                    + " concurrency " + c.addressConcurrency() + " refresh " + Durations.format(c.addressRefresh())
                    + " budget " + Durations.format(c.addressBudget())
                    + ", missing grace " + Durations.format(m.grace()) + " max-share "
                    + String.format(Locale.ROOT, "%.0f%%", m.maxShare() * 100) + " min-count " + m.minCount());
        }
        return lines;
    }

    private static String tls(TlsConfig tls) {
        if (tls.insecure()) {
            return "INSECURE (no verification)";
        }
        if (tls.caFile().isPresent()) {
            return "ca-file " + tls.caFile().get();
        }
        if (!tls.fingerprints().isEmpty()) {
            return "pinned fingerprint(s) " + tls.fingerprints().size();
        }
        return "system trust store";
    }
}
