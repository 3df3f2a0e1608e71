package io.pvesync.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark worker in a JVM of its own, with its heap limit: its {@code RESULT {json}} lines go
 * to the caller, every other stdout line to {@code err} as progress, its stderr straight through.
 */
final class WorkerJvm {
    private static final String RESULT = "RESULT ";

    private WorkerJvm() {
    }

    /** What the caller does with a RESULT line's JSON text. */
    @FunctionalInterface
    interface ResultLine {
        void accept(String json) throws IOException;
    }

    /**
     * Runs {@code mainClass} with {@code args} on this JVM's class path and waits for it.
     *
     * @param results gets each RESULT line's JSON text as it arrives
     * @return the worker's exit code
     */
    static int run(String xmx, Class<?> mainClass, List<String> args, PrintStream err, ResultLine results)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
                mainClass.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        // the passes' own log lines would drown the progress; errors still show
        builder.environment().putIfAbsent("PVESYNC_LOG_LEVEL", "ERROR");
        Process process = builder.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith(RESULT)) {
                    results.accept(line.substring(RESULT.length()));
                } else {
                    err.println(line);
                }
            }
        }
        return process.waitFor();
    }
}
