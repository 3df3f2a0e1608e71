package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The lines of the installed pvesync.service that say how systemd starts the daemon: ExecStart=,
 * User=, Group=, LoadCredential= and SuccessExitStatus=. Only the forms the unit uses are understood
 * (one plain ExecStart= without quotes, prefixes or specifiers); anything else fails the test,
 * naming the line, rather than being run differently from systemd.
 */
record InstalledUnit(List<String> execStart, String user, String group, List<Credential> credentials,
                     Set<Integer> successExitStatuses) {

    /** LoadCredential=ID:PATH: systemd hands PATH's content to the service as ${CREDENTIALS_DIRECTORY}/ID. */
    record Credential(String id, Path source) {
    }

    static InstalledUnit read(Path unit) throws IOException {
        List<String> execStart = null;
        String user = null;
        String group = null;
        List<Credential> credentials = new ArrayList<>();
        Set<Integer> success = new TreeSet<>(Set.of(0));
        for (String line : Files.readAllLines(unit)) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || !stripped.contains("=")) {
                continue;
            }
            String key = stripped.substring(0, stripped.indexOf('='));
            String value = stripped.substring(stripped.indexOf('=') + 1).strip();
            switch (key) {
                case "ExecStart" -> {
                    assertThat(execStart).as("%s: one ExecStart= line", unit).isNull();
                    assertThat(value).as("%s: ExecStart= without quotes, prefixes, specifiers or variables", unit)
                            .doesNotContainPattern("[\"'%$\\\\]").doesNotStartWith("-").doesNotStartWith("@")
                            .doesNotStartWith("+").doesNotStartWith("!").doesNotStartWith(":");
                    execStart = List.of(value.split("\\s+"));
                }
                case "User" -> user = value;
                case "Group" -> group = value;
                case "LoadCredential" -> {
                    int colon = value.indexOf(':');
                    assertThat(colon).as("%s: LoadCredential=%s names ID:PATH", unit, value).isPositive();
                    credentials.add(new Credential(value.substring(0, colon), Path.of(value.substring(colon + 1))));
                }
                case "SuccessExitStatus" -> {
                    for (String status : value.split("\\s+")) {
                        success.add(Integer.parseInt(status));
                    }
                }
                default -> {
                }
            }
        }
        assertThat(execStart).as("%s has an ExecStart= line", unit).isNotNull();
        assertThat(user).as("%s has a User= line", unit).isNotNull();
        return new InstalledUnit(execStart, user, group == null ? user : group, List.copyOf(credentials), success);
    }
}
