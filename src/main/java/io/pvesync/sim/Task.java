package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Locale;

/**
 * One worker task of a node, as the node's task list holds it.
 *
 * @param seq       creation order on its node, to order tasks started in the same second
 * @param pid       the worker's process id
 * @param pstart    the worker's start in clock ticks since the node booted ({@code /proc/<pid>/stat})
 * @param starttime epoch seconds
 * @param type      {@code qmcreate}, {@code qmclone}, {@code vzdump}, ...
 * @param id        the task's object, a string: the vmid for guest tasks, empty for node tasks
 * @param user      who ran it: {@code root@pam}, or a token id {@code user@realm!name}
 * @param endtime   epoch seconds, or null while it runs
 * @param status    {@code OK} or the error text, null while it runs
 */
record Task(long seq, String node, long pid, long pstart, long starttime, String type, String id, String user,
            Long endtime, String status) {

    boolean running() {
        return endtime == null;
    }

    /** pve-common {@code PVE::UPID::encode}: {@code UPID:node:PID:PSTART:STARTTIME:type:id:user:}, hex upper case. */
    String upid() {
        return String.format(Locale.ROOT, "UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, pid, pstart, starttime, type, id,
                user);
    }

    Task ended(long when, String result) {
        return new Task(seq, node, pid, pstart, starttime, type, id, user, when, result);
    }

    /**
     * The entry as pvestatd broadcasts it: what {@code PVE::RESTEnvironment::active_workers} keeps
     * of a task read back from {@code /var/log/pve/tasks/active} ({@code PVE::INotify::read_active_workers}:
     * the decoded UPID plus {@code saved}, {@code endtime}, {@code status}). {@code active_workers}
     * deletes {@code pstart} from every task and {@code pid} from finished ones; {@code saved} is
     * the file's flag, a string ("1" once archived to the task index, which happens when a task
     * ends). Numbers come from {@code hex()}, so they are JSON numbers; {@code id} stays a string.
     *
     * @param tokenSplit pve-manager {@code API2/Cluster.pm} {@code tasks}: a token's {@code user} is
     *                   split into {@code user} and {@code tokenid}; false for the broadcast itself
     */
    void write(JsonGenerator json, boolean tokenSplit) throws IOException {
        json.writeStartObject();
        json.writeStringField("upid", upid());
        json.writeStringField("node", node);
        if (running()) {
            json.writeNumberField("pid", pid);
        }
        json.writeNumberField("starttime", starttime);
        json.writeStringField("type", type);
        json.writeStringField("id", id);
        int bang = user.indexOf('!');
        if (tokenSplit && bang > 0) {
            json.writeStringField("user", user.substring(0, bang));
            json.writeStringField("tokenid", user.substring(bang + 1));
        } else {
            json.writeStringField("user", user);
        }
        json.writeStringField("saved", running() ? "0" : "1");
        if (!running()) {
            json.writeNumberField("endtime", endtime);
            json.writeStringField("status", status);
        }
        json.writeEndObject();
    }
}
