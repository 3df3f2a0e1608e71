package io.pvesync.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP connections this process holds open to a set of local ports, read from Linux's
 * {@code /proc}: the socket inodes among this process's file descriptors, matched against the
 * established connections of {@code /proc/self/net/tcp} and {@code tcp6} (Java's sockets are IPv6
 * ones, 127.0.0.1 shows there as ::ffff:127.0.0.1). What the simulators count is connections
 * accepted since they started; this is how many are open at one moment, on pvesync's side.
 */
final class OpenSockets {
    private static final String ESTABLISHED = "01";

    private final Set<Integer> ports;

    OpenSockets(Set<Integer> ports) {
        this.ports = Set.copyOf(ports);
    }

    /** @return the open connections to the ports, or -1 where /proc cannot be read (not Linux) */
    int count() {
        try {
            Set<String> mine = socketInodes();
            int count = 0;
            for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
                Path file = Path.of(table);
                if (Files.isReadable(file)) {
                    count += count(Files.readAllLines(file), mine);
                }
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Lines of /proc/net/tcp: sl local_address rem_address st ... uid timeout inode. */
    int count(List<String> lines, Set<String> inodes) {
        int count = 0;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals(ESTABLISHED) || !inodes.contains(f[9])) {
                continue;
            }
            String remote = f[2];
            int port = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
            if (ports.contains(port)) {
                count++;
            }
        }
        return count;
    }

    private static Set<String> socketInodes() throws IOException {
        Set<String> out = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while listing: not open, not counted
                }
            }
        }
        return out;
    }
}
