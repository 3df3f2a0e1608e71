package io.pvesync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version pvesync was built as (the pom's {@code project.version}, e.g. {@code 0.1.0-SNAPSHOT}).
 * Read from a resource Maven filters at build time rather than from the jar manifest, so it is the
 * same whether pvesync runs from the packaged jar or from {@code target/classes} in the tests.
 */
public final class Version {
    private static final String RESOURCE = "version.properties";

    private Version() {
    }

    /** The build's version; fails loudly when the resource was not filtered (a broken build). */
    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("io/pvesync/cli/" + RESOURCE + " is missing from the build");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            if (version.isBlank() || version.contains("${")) {
                throw new IllegalStateException("io/pvesync/cli/" + RESOURCE + " was not filtered: version=" + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/pvesync/cli/" + RESOURCE, e);
        }
    }
}
