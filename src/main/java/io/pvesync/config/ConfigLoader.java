package io.pvesync.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Loads and validates the YAML configuration (README "Configuration" documents every key). All
 * problems are collected and reported together, each under the file's name and the key's path;
 * unknown keys are problems too, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern TOKEN_ID = Pattern.compile("[^@!=\\s]+@[^@!=\\s]+![A-Za-z][A-Za-z0-9._-]*");
    private static final Pattern FINGERPRINT = Pattern.compile("([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}");

    private final Map<String, String> env;

    public ConfigLoader() {
        this(System.getenv());
    }

    /** For tests: the environment used to expand {@code ${VAR}} in file paths. */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public PvesyncConfig load(Path file) throws ConfigException {
        String name = file.toString();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, List.of("file does not exist"));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            throw new ConfigException(name, List.of(where + "not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(name, List.of("cannot read (" + e.getMessage() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(name, List.of("must be a YAML mapping with database: and clusters:"));
        }
        List<String> problems = new ArrayList<>();
        Path baseDir = file.toAbsolutePath().getParent();
        SecretReader secrets = new SecretReader(baseDir, env);
        Section top = new Section("", root, problems);

        DatabaseConfig database = database(top.section("database"), secrets);
        if (!top.has("database")) {
            top.problem("database", "required");
        }
        List<Pending> pending = clusters(top, secrets);
        ScheduleConfig schedule = schedule(top.section("schedule"));
        List<ClusterConfig> clusters = pending.stream().map(p -> p.withBudget(schedule)).toList();
        StatusConfig status = status(top.section("status"), secrets, schedule);
        LoggingConfig logging = logging(top.section("logging"));
        HistoryConfig history = history(top.section("history"));
        top.finish();
        if (!problems.isEmpty()) {
            throw new ConfigException(name, problems);
        }
        return new PvesyncConfig(file, database, clusters, schedule, status, logging, history);
    }

    private DatabaseConfig database(Section s, SecretReader secrets) {
        Optional<String> url = s.requiredText("url");
        url.filter(u -> !u.startsWith("jdbc:postgresql://"))
                .ifPresent(u -> s.problem("url", "must start with jdbc:postgresql:// (got \"" + u + "\")"));
        Optional<String> username = s.requiredText("username");
        Optional<Secret> password = secrets.read(s, "password", false);
        Optional<String> migrateUsername = s.text("migrate-username");
        Optional<Secret> migratePassword = secrets.read(s, "migrate-password", false);
        int poolSize = s.integer("pool-size", DatabaseConfig.DEFAULT_POOL_SIZE, 1, 64);
        Duration statementTimeout = duration(s, "statement-timeout", DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT);
        // 0 would switch PostgreSQL's timeout off: the unbounded wait this key exists to prevent
        if (statementTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            s.problem("statement-timeout", "must be at least 1s (it bounds every statement of a pass, lock waits"
                    + " included)");
        } else if (statementTimeout.compareTo(Duration.ofHours(1)) > 0) {
            s.problem("statement-timeout", "must be at most 1h");
        }
        s.finish();
        return new DatabaseConfig(url.orElse(""), username.orElse(""), password, migrateUsername, migratePassword,
                poolSize, statementTimeout);
    }

    /** A cluster whose address budget waits for the poll interval, its default's base. */
    private record Pending(ClusterConfig config, Optional<Duration> budget) {
        ClusterConfig withBudget(ScheduleConfig schedule) {
            return config.withAddressBudget(budget.orElseGet(
                    () -> ClusterConfig.defaultAddressBudget(schedule.poll(), config.addressTimeout())));
        }
    }

    private List<Pending> clusters(Section top, SecretReader secrets) {
        List<Pending> out = new ArrayList<>();
        if (!top.has("clusters")) {
            top.problem("clusters", "required: at least one cluster");
            return out;
        }
        List<Section> items = top.sections("clusters");
        Set<String> names = new HashSet<>();
        for (Section c : items) {
            Pending cluster = cluster(c, secrets);
            if (cluster != null && !names.add(cluster.config().name())) {
                c.problem("name", "\"" + cluster.config().name() + "\" is used by another cluster; names must be unique");
            }
            if (cluster != null) {
                out.add(cluster);
            }
        }
        return out;
    }

    private Pending cluster(Section c, SecretReader secrets) {
        Optional<String> name = c.requiredText("name");
        name.filter(n -> !CLUSTER_NAME.matcher(n).matches()).ifPresent(n -> c.problem("name",
                "\"" + n + "\" must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        List<URI> endpoints = endpoints(c);
        Optional<String> tokenId = c.requiredText("token-id");
        tokenId.filter(t -> !TOKEN_ID.matcher(t).matches()).ifPresent(t -> c.problem("token-id",
                "\"" + t + "\" is not USER@REALM!TOKENID (e.g. pvesync@pve!inventory)"));
        Optional<Secret> tokenSecret = secrets.read(c, "token-secret", true);
        TlsConfig tls = tls(c.section("tls"), secrets);
        boolean containers = c.flag("include-containers", false);
        Duration connect = duration(c, "connect-timeout", ClusterConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration read = duration(c, "read-timeout", ClusterConfig.DEFAULT_READ_TIMEOUT);
        Section addresses = c.section("addresses");
        Duration addressTimeout = duration(addresses, "timeout", ClusterConfig.DEFAULT_ADDRESS_TIMEOUT);
        int concurrency = addresses.integer("concurrency", ClusterConfig.DEFAULT_ADDRESS_CONCURRENCY, 1, 3);
        Duration refresh = duration(addresses, "refresh", ClusterConfig.DEFAULT_ADDRESS_REFRESH);
        Optional<Duration> budget = addresses.has("budget")
                ? Optional.of(duration(addresses, "budget", ClusterConfig.DEFAULT_ADDRESS_TIMEOUT)) : Optional.empty();
        budget.filter(b -> b.compareTo(Duration.ofSeconds(1)) < 0 || b.compareTo(Duration.ofHours(1)) > 0)
                .ifPresent(b -> addresses.problem("budget", "must be between 1s and 1h (how long a pass may start"
                        + " per-VM lookups)"));
        addresses.finish();
        MissingPolicy missing = missing(c.section("missing"));
        c.finish();
        if (name.isEmpty()) {
            return null;
        }
        return new Pending(new ClusterConfig(name.get(), endpoints, tokenId.orElse(""),
                tokenSecret.orElse(Secret.of("")), tls, containers, connect, read, addressTimeout, concurrency,
                refresh, missing), budget);
    }

    private List<URI> endpoints(Section c) {
        List<URI> out = new ArrayList<>();
        if (!c.has("endpoints")) {
            c.problem("endpoints", "required: a list such as [\"https://pve1.example:8006\"]");
            return out;
        }
        List<String> texts = c.texts("endpoints");
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String key = "endpoints[" + i + "]";
            try {
                URI uri = new URI(text);
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                    c.problem(key, "\"" + text + "\" is not an https://host:port URL");
                } else if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                    c.problem(key, "\"" + text + "\" must not have a path (pvesync adds /api2/json)");
                } else {
                    out.add(uri);
                }
            } catch (URISyntaxException e) {
                c.problem(key, "\"" + text + "\" is not a URL (" + e.getReason() + ")");
            }
        }
        if (texts.isEmpty()) {
            c.problem("endpoints", "must list at least one endpoint");
        }
        return out;
    }

    private TlsConfig tls(Section t, SecretReader secrets) {
        Optional<Path> caFile = t.text("ca-file").flatMap(p -> secrets.path(t, "ca-file", p));
        caFile.filter(p -> !Files.isReadable(p)).ifPresent(p -> t.problem("ca-file", "cannot read " + p));
        List<String> fingerprints = new ArrayList<>();
        for (String fp : t.texts("fingerprint")) {
            if (FINGERPRINT.matcher(fp).matches()) {
                fingerprints.add(fp.toUpperCase(java.util.Locale.ROOT));
            } else {
                t.problem("fingerprint", "\"" + fp + "\" is not a SHA-256 fingerprint (32 hex pairs joined by ':',"
                        + " as shown by: pvenode cert info)");
            }
        }
        boolean insecure = t.flag("insecure", false);
        int modes = (caFile.isPresent() ? 1 : 0) + (fingerprints.isEmpty() ? 0 : 1) + (insecure ? 1 : 0);
        if (modes > 1) {
            t.problem("", "choose one of ca-file, fingerprint and insecure");
        }
        t.finish();
        return new TlsConfig(caFile, fingerprints, insecure);
    }

    private MissingPolicy missing(Section m) {
        Duration grace = duration(m, "grace", MissingPolicy.DEFAULT.grace());
        double share = MissingPolicy.DEFAULT.maxShare();
        Optional<String> shareText = m.text("max-share");
        if (shareText.isPresent()) {
            String text = shareText.get();
            try {
                share = text.endsWith("%")
                        ? Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100
                        : Double.parseDouble(text);
                if (share < 0 || share > 1) {
                    m.problem("max-share", "\"" + text + "\" must be between 0% and 100%");
                }
            } catch (NumberFormatException e) {
                m.problem("max-share", "\"" + text + "\" is not a share (examples: 10%, 0.1)");
            }
        }
        int min = m.integer("min-count", MissingPolicy.DEFAULT.minCount(), 0, 1_000_000);
        m.finish();
        return new MissingPolicy(grace, share, min);
    }

    private ScheduleConfig schedule(Section s) {
        Duration poll = duration(s, "poll", ScheduleConfig.DEFAULT_POLL);
        if (poll.compareTo(Duration.ofSeconds(1)) < 0) {
            s.problem("poll", "must be at least 1s");
        }
        String cron = s.text("reconcile").orElse(ScheduleConfig.DEFAULT_RECONCILE);
        try {
            new CronExpression(cron);
        } catch (ParseException e) {
            s.problem("reconcile", "\"" + cron + "\" is not a Quartz cron expression (" + e.getMessage()
                    + "); example: \"0 0 * * * ?\" = hourly");
        }
        boolean clustered = s.flag("clustered", false);
        s.finish();
        return new ScheduleConfig(poll, cron, clustered);
    }

    private StatusConfig status(Section s, SecretReader secrets, ScheduleConfig schedule) {
        String listen = s.text("listen").orElse(StatusConfig.DEFAULT_LISTEN);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 9187);
        int colon = listen.lastIndexOf(':');
        try {
            if (colon < 1) {
                throw new NumberFormatException();
            }
            String host = listen.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(listen.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                s.problem("listen", "host \"" + host + "\" cannot be resolved (use an address such as 127.0.0.1)");
            }
        } catch (NumberFormatException e) {
            s.problem("listen", "\"" + listen + "\" is not HOST:PORT (e.g. 127.0.0.1:9187)");
        }
        Optional<Secret> token = secrets.read(s, "resync-token", false);
        if (token.isEmpty() && !address.isUnresolved() && !address.getAddress().isLoopbackAddress()) {
            // POST /resync starts full reconcile passes: reachable by others, it needs a token
            s.problem("listen", "\"" + listen + "\" is reachable from other hosts, so status.resync-token (or"
                    + " status.resync-token-file) is required: without it anyone who reaches the port can chain"
                    + " full reconcile passes; set a token or listen on 127.0.0.1");
        }
        // default: a cluster is stale after missing several polls, and never sooner than 5 minutes
        Duration defaultStale = schedule.poll().multipliedBy(4).compareTo(Duration.ofMinutes(5)) > 0
                ? schedule.poll().multipliedBy(4) : Duration.ofMinutes(5);
        Duration stale = duration(s, "stale-after", defaultStale);
        s.finish();
        return new StatusConfig(address, token, stale);
    }

    private LoggingConfig logging(Section s) {
        LogFormat format = s.text("format").map(text -> LogFormat.named(text).orElseGet(() -> {
            s.problem("format", "\"" + text + "\" is not a log format: text (the default, for the journal) or json"
                    + " (one object per line, for log pipelines)");
            return LogFormat.TEXT;
        })).orElse(LogFormat.TEXT);
        s.finish();
        return new LoggingConfig(format);
    }

    private HistoryConfig history(Section s) {
        Optional<String> text = s.text("retention");
        Duration retention = HistoryConfig.DEFAULT_RETENTION;
        if (text.isPresent() && text.get().strip().equals("0")) {
            retention = Duration.ZERO;
        } else if (text.isPresent()) {
            retention = duration(s, "retention", HistoryConfig.DEFAULT_RETENTION);
            if (retention.compareTo(HistoryConfig.MIN_RETENTION) < 0) {
                s.problem("retention", "\"" + text.get() + "\" is shorter than " + Durations.format(HistoryConfig.MIN_RETENTION)
                        + ": give how long to keep the change history (e.g. 90d), or 0 to keep every change");
                retention = HistoryConfig.DEFAULT_RETENTION;
            }
        }
        s.finish();
        return new HistoryConfig(retention);
    }

    private static Duration duration(Section s, String key, Duration fallback) {
        Optional<String> text = s.text(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return Durations.parse(text.get());
        } catch (IllegalArgumentException e) {
            s.problem(key, e.getMessage());
            return fallback;
        }
    }
}
