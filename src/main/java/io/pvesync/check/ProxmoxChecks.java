package io.pvesync.check;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.config.ClusterConfig;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks each endpoint of a cluster on its own (failover would hide a broken one): TLS and
 * reachability, the token, the Proxmox VE version, and the token's privileges against what a
 * read-only poller needs (PROXMOX-API.md 1.4).
 */
public final class ProxmoxChecks {
    private static final Set<String> ALWAYS_NEEDED = Set.of("VM.Audit", "Sys.Audit");

    private ProxmoxChecks() {
    }

    public static List<CheckResult> run(ClusterConfig cluster) {
        List<CheckResult> results = new ArrayList<>();
        for (URI endpoint : cluster.endpoints()) {
            String subject = "cluster=" + cluster.name() + " endpoint=" + endpoint;
            ClusterConfig one = new ClusterConfig(cluster.name(), List.of(endpoint), cluster.tokenId(),
                    cluster.tokenSecret(), cluster.tls(), cluster.includeContainers(), cluster.connectTimeout(),
                    cluster.readTimeout(), cluster.addressTimeout(), cluster.addressConcurrency(),
                    cluster.addressRefresh(), cluster.missing());
            ProxmoxClient client;
            try {
                client = new ProxmoxClient(one);
            } catch (IllegalArgumentException e) {
                results.add(CheckResult.fail(subject, e.getMessage()));
                continue;
            }
            try (client) {
                results.addAll(checkEndpoint(subject, client));
            }
        }
        return results;
    }

    private static List<CheckResult> checkEndpoint(String subject, ProxmoxClient client) {
        List<CheckResult> results = new ArrayList<>();
        int major;
        try {
            JsonNode version = client.get(ApiCall.version());
            String release = version.path("version").asText("?");
            major = parseMajor(version.path("release").asText(release));
            results.add(CheckResult.ok(subject, "TLS and token accepted; Proxmox VE " + release));
        } catch (ProxmoxAuthException e) {
            results.add(CheckResult.fail(subject, "token: " + e.getMessage()));
            return results;
        } catch (ProxmoxUnavailableException e) {
            String cause = e.failures().isEmpty() ? e.getMessage() : e.failures().get(0).getMessage();
            results.add(CheckResult.fail(subject, "unreachable: " + cause));
            return results;
        } catch (ProxmoxException e) {
            results.add(CheckResult.fail(subject, e.getMessage()));
            return results;
        }
        try {
            results.add(privileges(subject, client.get(ApiCall.permissions()).path("/"), major));
        } catch (ProxmoxException e) {
            results.add(CheckResult.fail(subject, "privileges unreadable: " + e.getMessage()));
        }
        JsonNode listing;
        try {
            listing = client.get(ApiCall.clusterResources());
            results.add(listing(subject, listing));
        } catch (ProxmoxException e) {
            results.add(CheckResult.fail(subject, "listing failed: " + e.getMessage()));
            return results;
        }
        try {
            results.add(tasks(subject, nodeNames(listing), client.get(ApiCall.clusterTasks())));
        } catch (ProxmoxException e) {
            results.add(CheckResult.warn(subject, "task list unreadable (" + e.getMessage() + "): every change of a"
                    + " guest's name or status costs a config read to rule out a reused VMID"));
        }
        return results;
    }

    /**
     * What the token sees of {@code /cluster/tasks}: without Sys.Audit on {@code /} it sees no
     * task at all (pve-manager API2/Cluster.pm compares a task's user with the token's full id,
     * which never matches), and pvesync then reads a config on every change of name or status.
     */
    static CheckResult tasks(String subject, Set<String> nodes, JsonNode data) {
        Set<String> showing = new TreeSet<>();
        int count = 0;
        for (JsonNode task : data) {
            count++;
            if (task.hasNonNull("node")) {
                showing.add(task.get("node").asText());
            }
        }
        if (nodes.isEmpty()) {
            return CheckResult.warn(subject, "task list not judged: the listing shows no node");
        }
        Set<String> silent = new TreeSet<>(nodes);
        silent.removeAll(showing);
        String text = "task list shows " + count + " task(s) from " + (nodes.size() - silent.size()) + " of "
                + nodes.size() + " node(s)";
        if (!silent.isEmpty()) {
            return CheckResult.warn(subject, text + "; none from " + String.join(", ", silent) + ": lifecycle events"
                    + " there are not visible (the token needs Sys.Audit on /, which PVEAuditor has), so a change of"
                    + " name or status there costs a config read");
        }
        return CheckResult.ok(subject, text);
    }

    private static Set<String> nodeNames(JsonNode listing) {
        Set<String> nodes = new TreeSet<>();
        for (JsonNode entry : listing) {
            if ("node".equals(entry.path("type").asText()) && entry.hasNonNull("node")) {
                nodes.add(entry.get("node").asText());
            }
        }
        return nodes;
    }

    private static int parseMajor(String release) {
        try {
            return Integer.parseInt(release.split("\\.")[0]);
        } catch (NumberFormatException e) {
            return 9;
        }
    }

    static CheckResult privileges(String subject, JsonNode granted, int major) {
        Set<String> found = new TreeSet<>();
        for (Iterator<String> it = granted.fieldNames(); it.hasNext(); ) {
            String privilege = it.next();
            if (granted.get(privilege).asInt(0) != 0 || granted.get(privilege).asBoolean(false)) {
                found.add(privilege);
            }
        }
        Set<String> missing = new TreeSet<>(ALWAYS_NEEDED);
        missing.removeAll(found);
        String grant = major >= 9 ? "PVEAuditor" : "a role with VM.Audit VM.Monitor Sys.Audit (README)";
        String shown = "found " + (found.isEmpty() ? "none" : String.join(", ", relevant(found)));
        if (!missing.isEmpty()) {
            return CheckResult.fail(subject, "privileges on /: missing " + String.join(", ", missing) + " (" + shown
                    + "); grant the token and its user " + grant + " on /");
        }
        boolean agent = major >= 9
                ? found.contains("VM.GuestAgent.Audit") || found.contains("VM.GuestAgent.Unrestricted")
                : found.contains("VM.Monitor");
        String agentPrivilege = major >= 9 ? "VM.GuestAgent.Audit" : "VM.Monitor";
        if (!agent) {
            return CheckResult.warn(subject, "privileges on /: " + shown + "; without " + agentPrivilege
                    + " guest-agent addresses are unavailable (only cloud-init ones); grant " + grant);
        }
        return CheckResult.ok(subject, "privileges on /: " + shown + " (needed: VM.Audit, Sys.Audit, " + agentPrivilege + ")");
    }

    private static List<String> relevant(Set<String> found) {
        return found.stream().filter(p -> p.endsWith(".Audit") || p.equals("VM.Monitor")
                || p.startsWith("VM.GuestAgent")).toList();
    }

    private static CheckResult listing(String subject, JsonNode data) {
        int nodes = 0;
        int online = 0;
        int guests = 0;
        for (JsonNode entry : data) {
            String type = entry.path("type").asText();
            if (type.equals("node")) {
                nodes++;
                if (entry.path("status").asText().equals("online")) {
                    online++;
                }
            } else if (type.equals("qemu") || type.equals("lxc")) {
                guests++;
            }
        }
        String text = "listing shows " + nodes + " node(s), " + online + " online, and " + guests + " guest(s)";
        if (nodes == 0 && guests > 0) {
            return CheckResult.fail(subject, text + ": no nodes visible, grant Sys.Audit");
        }
        if (guests == 0) {
            return CheckResult.warn(subject, text + ": no guests visible; if the cluster runs VMs the token lacks"
                    + " VM.Audit on them");
        }
        return CheckResult.ok(subject, text);
    }
}
