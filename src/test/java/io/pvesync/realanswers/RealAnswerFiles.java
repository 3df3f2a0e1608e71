package io.pvesync.realanswers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of {@code src/test/resources/proxmox/real/}. A file holds the whole body or, where the
 * source printed only that, the {@code data} value (README); {@link #data} gives the value either way.
 */
final class RealAnswerFiles {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIRECTORY = "/proxmox/real/";

    private RealAnswerFiles() {
    }

    static String text(String name) {
        try (InputStream in = RealAnswerFiles.class.getResourceAsStream(DIRECTORY + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no file proxmox/real/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode data(String name) {
        try {
            JsonNode root = JSON.readTree(text(name));
            return root.isObject() && root.has("data") ? root.get("data") : root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of every file in the directory, README included. */
    static List<String> names() {
        URL url = RealAnswerFiles.class.getResource(DIRECTORY);
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
