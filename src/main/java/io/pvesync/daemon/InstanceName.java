package io.pvesync.daemon;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** How this instance names itself in the shared sync state and the logs: host and process. */
public final class InstanceName {
    private InstanceName() {
    }

    /** {@code host/pid}, e.g. {@code pvesync1/4711}. */
    public static String local() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
