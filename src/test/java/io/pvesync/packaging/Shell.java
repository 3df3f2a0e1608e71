package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the Debian tools the package tests drive (dpkg-deb, lintian, apt-get), as a person would. */
final class Shell {
    private Shell() {
    }

    /** What a command exited with and printed (stdout and stderr together, in order). */
    record Result(List<String> command, int exit, String output) {
        Result ok() {
            assertThat(exit).as("%s exits 0; it printed:%n%s", String.join(" ", command), output).isZero();
            return this;
        }
    }

    static Result run(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // apt and dpkg must never ask: the tests run without a terminal, as CI does
        env.put("DEBIAN_FRONTEND", "noninteractive");
        env.put("LC_ALL", "C.UTF-8");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 5 minutes");
            }
            return new Result(List.of(command), process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Makes sure {@code tool} is on the PATH. On CI its absence fails the test, naming the Debian
     * package that brings it (.ci/run installs it); elsewhere the test is skipped with that reason.
     */
    static void requireTool(String tool, String debianPackage) {
        boolean present = run("sh", "-c", "command -v " + tool).exit() == 0;
        String reason = tool + " is not installed (Debian package " + debianPackage + ")";
        if (!present && onCi()) {
            fail(reason + ": .ci/run should have installed it");
        }
        assumeTrue(present, reason);
    }
}
