package io.pvesync.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON format on its own logger context: one object per line that any JSON reader parses,
 * whatever the message holds, with the subject as fields; and logback.xml's stderr appender
 * switching from text to it.
 */
class SubjectJsonEncoderTest {
    private final ObjectMapper json = new ObjectMapper();

    private List<JsonNode> parse(String output) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            out.add(json.readTree(line)); // one complete object per line, or this throws
        }
        return out;
    }

    /** A logger context of the test's own, as logback's initializer would set it up. */
    private static LoggerContext context() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.start();
        return context;
    }

    @Test
    void eachEventIsOneObjectPerLineWithTheSubjectAsFields() throws Exception {
        LoggerContext context = context();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        SubjectJsonEncoder encoder = new SubjectJsonEncoder();
        encoder.setContext(context);
        encoder.start();
        appender.setEncoder(encoder);
        appender.setOutputStream(bytes);
        appender.start();
        Logger log = context.getLogger("io.pvesync.sync.ClusterSync");
        log.addAppender(appender);

        log.warn("cluster={} node={} vmid={} - guest said \"{}\"", "lab", "pve1", 104, "a\nb\t\u0001c\\ é");
        log.info("database - connected");
        log.error("cluster={} - unexpected failure", "lab", new IllegalStateException("broken \"here\""));
        String output = bytes.toString(StandardCharsets.UTF_8);
        List<JsonNode> lines = parse(output);

        assertThat(output.split("\n")).hasSize(3);
        JsonNode first = lines.get(0);
        assertThat(first.get("cluster").asText()).isEqualTo("lab");
        assertThat(first.get("node").asText()).isEqualTo("pve1");
        assertThat(first.get("vmid").isInt()).isTrue();
        assertThat(first.get("vmid").asInt()).isEqualTo(104);
        assertThat(first.get("level").asText()).isEqualTo("WARN");
        assertThat(first.get("loggerName").asText()).isEqualTo("io.pvesync.sync.ClusterSync");
        assertThat(first.get("formattedMessage").asText())
                .isEqualTo("cluster=lab node=pve1 vmid=104 - guest said \"a\nb\t\u0001c\\ é\"");
        assertThat(first.get("timestamp").isNumber()).isTrue();
        // the pieces formattedMessage is made of are not repeated
        assertThat(first.has("message")).isFalse();
        assertThat(first.has("arguments")).isFalse();
        assertThat(lines.get(1).has("cluster")).isFalse();
        assertThat(lines.get(1).get("formattedMessage").asText()).isEqualTo("database - connected");
        JsonNode third = lines.get(2);
        assertThat(third.get("cluster").asText()).isEqualTo("lab");
        assertThat(third.at("/throwable/className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(third.at("/throwable/message").asText()).isEqualTo("broken \"here\"");
    }

    @Test
    void logbackXmlWritesTextUntilJsonIsAskedFor() throws Exception {
        LoggerContext context = context();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        PrintStream stderr = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            configurator.doConfigure(getClass().getResource("/logback.xml")); // the jar's, not logback-test.xml
            Logger log = context.getLogger("io.pvesync.schedule.ClusterRunner");
            log.info("cluster={} - synced again after {} failure(s)", "lab", 3);
            SwitchableEncoder.use(LogFormat.JSON);
            log.info("cluster={} - synced again after {} failure(s)", "lab", 4);
        } finally {
            SwitchableEncoder.use(LogFormat.TEXT);
            System.setErr(stderr);
            context.stop();
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");

        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+\\S* INFO  ClusterRunner - cluster=lab - synced again"
                + " after 3 failure\\(s\\)");
        JsonNode second = json.readTree(lines[1]);
        assertThat(second.get("cluster").asText()).isEqualTo("lab");
        assertThat(second.get("formattedMessage").asText()).isEqualTo("cluster=lab - synced again after 4 failure(s)");
        Iterator<String> names = second.fieldNames();
        List<String> fields = new ArrayList<>();
        names.forEachRemaining(fields::add);
        // logback's members (mdc and throwable always, empty or null), then the subject's
        assertThat(fields).containsExactly("timestamp", "level", "threadName", "loggerName", "mdc", "formattedMessage",
                "throwable", "cluster");
    }
}
