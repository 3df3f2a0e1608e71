package io.pvesync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, run as a process: loads a page and hands back the DOM it
 * built (after parsing, styles and any script) and every request it made for the page, or takes a
 * screenshot. Each run has a profile of its own under the given directory, so runs never share
 * state. Absent, it skips the test with the reason, and fails it under {@code CI=true}.
 */
public final class HeadlessChromium {
    /** Starting chromium takes a second or two; a page of ours loads at once. */
    private static final long LIMIT_SECONDS = 60;

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /** The installed chromium, or a skip (a failure under CI) naming what is missing. */
    public static HeadlessChromium find() {
        Optional<Path> found = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                        Stream.of("/usr/bin"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "chromium"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isPresent()) {
            return new HeadlessChromium(found.get());
        }
        String why = "chromium is not installed (on PATH or in /usr/bin); install it: apt-get install -y chromium";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + why + " (.ci/run installs it)");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    /**
     * What chromium made of a page.
     *
     * @param dom      the document as chromium serialised it after loading
     * @param requests every URL chromium asked for on the page's behalf (the page itself, its
     *                 subresources, the favicon), in order; chromium's own traffic (updates, time)
     *                 is left out, told apart by its network isolation key
     */
    public record Page(String dom, List<URI> requests) {
    }

    /** Loads {@code url}, with chromium's network log on, and returns the DOM and the requests. */
    public Page load(URI url, Path work) throws IOException, InterruptedException {
        Path netLog = work.resolve("net-log.json");
        String dom = run(work, "--log-net-log=" + netLog, "--dump-dom", url.toString());
        return new Page(dom, pageRequests(netLog, url));
    }

    /** Takes a screenshot of {@code url} at {@code width} x {@code height} into {@code png}. */
    public void screenshot(URI url, Path png, int width, int height, Path work) throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        run(work, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", url.toString());
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new IOException("chromium wrote no screenshot to " + png);
        }
    }

    private String run(Path work, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        Path out = work.resolve("chromium.out");
        Path err = work.resolve("chromium.err");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless=new",
                // the sandbox guards against hostile pages; these are our own, and as root chromium
                // refuses to start with it
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException("chromium did not finish within " + LIMIT_SECONDS + " s: " + command + "\n" + tail(err));
        }
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited with " + p.exitValue() + ": " + command + "\n" + tail(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /**
     * The URLs of the requests made for the page: those whose network isolation key is the page's
     * site (its top frame), as chromium's network log records them when each request job starts,
     * before any name is resolved or connection made.
     */
    private static List<URI> pageRequests(Path netLog, URI page) throws IOException {
        JsonNode log;
        try {
            log = new ObjectMapper().readTree(netLog.toFile());
        } catch (IOException e) {
            throw new IOException("chromium's network log " + netLog + " cannot be read: " + e.getMessage(), e);
        }
        Map<Integer, String> types = new HashMap<>();
        log.path("constants").path("logEventTypes").fields()
                .forEachRemaining(e -> types.put(e.getValue().asInt(), e.getKey()));
        String site = page.getScheme() + "://" + page.getHost();
        List<URI> urls = new ArrayList<>();
        for (JsonNode event : log.path("events")) {
            JsonNode params = event.path("params");
            if ("URL_REQUEST_START_JOB".equals(types.get(event.path("type").asInt())) && params.has("url")
                    && params.path("network_isolation_key").asText().startsWith(site + " ")) {
                urls.add(URI.create(params.get("url").asText()));
            }
        }
        if (urls.isEmpty()) {
            throw new IOException("chromium's network log " + netLog + " shows no request for " + page);
        }
        return urls;
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
