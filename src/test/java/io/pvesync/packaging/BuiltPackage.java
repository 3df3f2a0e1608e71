package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The .deb that {@code mvn package} built, as the Failsafe configuration in pom.xml names it: its
 * path, the Debian version it carries and the pom version the jar was built as.
 */
record BuiltPackage(Path deb, String debianVersion, String projectVersion) {

    static BuiltPackage fromBuild() {
        String deb = System.getProperty("pvesync.deb");
        String debianVersion = System.getProperty("pvesync.deb.version");
        String projectVersion = System.getProperty("pvesync.version");
        assertThat(deb).as("system property pvesync.deb (set by the Failsafe plugin: run `mvn verify`)").isNotBlank();
        assertThat(debianVersion).as("system property pvesync.deb.version").isNotBlank();
        assertThat(projectVersion).as("system property pvesync.version").isNotBlank();
        Path path = Path.of(deb);
        assertThat(Files.isRegularFile(path)).as("the package %s exists (built by mvn package)", path).isTrue();
        return new BuiltPackage(path, debianVersion, projectVersion);
    }
}
