package io.pvesync.testing;

import io.pvesync.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One {@code pvesync} command run in-process, as an operator would type it, with what it printed.
 *
 * @param exit the exit code ({@code io.pvesync.cli.ExitCode})
 * @param out  standard output
 * @param err  standard error
 */
public record CommandRun(int exit, String out, String err) {

    /** Runs {@code pvesync ARGS...} and collects its exit code and output. */
    public static CommandRun pvesync(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
