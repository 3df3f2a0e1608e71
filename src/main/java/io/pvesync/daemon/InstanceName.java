package io.pvesync.daemon;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** How this instance names itself in the shared sync state and the logs: host and process. */
final class InstanceName {
    private InstanceName() {
    }

    static String local() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
