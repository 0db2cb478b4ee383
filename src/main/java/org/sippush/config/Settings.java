package org.sippush.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The server's settings: one properties file ({@code conf/sip-push-server.properties}), each key
 * overridable by a Java system property {@code sippush.<key>} and, above that, by an environment
 * variable {@code SIPPUSH_<KEY>} ({@code sip.port} becomes {@code SIPPUSH_SIP_PORT}).
 * <p>
 * {@code ${name}} inside a value is replaced by the system property {@code name} (for example
 * {@code ${catalina.base}}).
 */
public final class Settings {

    /** System property naming the settings file; default {@code ${catalina.base}/conf/sip-push-server.properties}. */
    public static final String FILE_PROPERTY = "sippush.config";
    public static final String FILE_NAME = "sip-push-server.properties";
    private static final String PREFIX = "sippush.";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /** Reads the settings file named by the environment, falling back to the built-in defaults. */
    public static Settings load() {
        return load(System.getenv(), System.getProperties());
    }

    static Settings load(Map<String, String> env, Properties system) {
        Properties file = new Properties();
        try (InputStream defaults = Settings.class.getResourceAsStream("/" + FILE_NAME)) {
            if (defaults != null) {
                file.load(defaults);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the built-in settings", e);
        }
        Path path = settingsFile(env, system);
        if (path != null && Files.isRegularFile(path)) {
            try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read settings file " + path, e);
            }
        }
        Map<String, String> merged = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            merged.put(key, file.getProperty(key).trim());
        }
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(PREFIX) && !name.equals(FILE_PROPERTY)) {
                merged.put(name.substring(PREFIX.length()), system.getProperty(name).trim());
            }
        }
        for (String key : List.copyOf(merged.keySet())) {
            String fromEnv = env.get(environmentName(key));
            if (fromEnv != null) {
                merged.put(key, fromEnv.trim());
            }
        }
        merged.replaceAll((key, value) -> expand(value, system));
        return new Settings(Map.copyOf(merged));
    }

    private static Path settingsFile(Map<String, String> env, Properties system) {
        String named = env.getOrDefault("SIPPUSH_CONFIG", system.getProperty(FILE_PROPERTY));
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        String base = system.getProperty("catalina.base");
        return base == null ? null : Path.of(base, "conf", FILE_NAME);
    }

    /** {@code sip.bind-address} → {@code SIPPUSH_SIP_BIND_ADDRESS}. */
    public static String environmentName(String key) {
        return "SIPPUSH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String expand(String value, Properties system) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < value.length()) {
            int start = value.indexOf("${", at);
            int end = start < 0 ? -1 : value.indexOf('}', start);
            if (end < 0) {
                out.append(value, at, value.length());
                break;
            }
            out.append(value, at, start);
            String name = value.substring(start + 2, end);
            String replacement = system.getProperty(name);
            if (replacement == null && name.equals("catalina.base")) {
                replacement = system.getProperty("user.dir");
            }
            out.append(replacement == null ? value.substring(start, end + 1) : replacement);
            at = end + 1;
        }
        return out.toString();
    }

    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("Missing setting '" + key + "' (set it in " + FILE_NAME
                    + " or in " + environmentName(key) + ")");
        }
        return value;
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public int getInt(String key) {
        String value = get(key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting '" + key + "' must be a whole number, not '" + value + "'", e);
        }
    }

    public int getInt(String key, int fallback) {
        return values.containsKey(key) ? getInt(key) : fallback;
    }

    /** {@code true} or {@code false} (any case); anything else is a startup error naming the key. */
    public boolean getBoolean(String key, boolean fallback) {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalStateException("Setting '" + key + "' must be true or false, not '" + value + "'");
    }

    public List<String> getList(String key) {
        return Arrays.stream(get(key, "").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** All settings, for exporting to the container as {@code sippush.*} system properties. */
    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        values.keySet().stream().sorted().forEach(key -> out.append(key).append('=')
                .append(isSecret(key) ? "****" : values.get(key)).append('\n'));
        return out.toString();
    }

    /** Passwords, keys and tokens are never printed. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("key") || k.contains("token");
    }

    // --- Instant messages to sleeping phones (README, "Messages to sleeping phones") -------------

    /** Seconds a stored message waits for its devices before it is deleted undelivered (default 7 days). */
    public static final String MESSAGE_EXPIRY = "message.expiry";
    /** Messages waiting for one user; one more is refused with 486 (default 100). */
    public static final String MESSAGE_MAX_PER_USER = "message.max-per-user";
    /** The largest MESSAGE body accepted, in bytes; a larger one is refused with 413 (default 8192). */
    public static final String MESSAGE_MAX_BODY_BYTES = "message.max-body-bytes";
    /** How often expired messages are deleted, in seconds (default 60). */
    public static final String MESSAGE_PURGE_INTERVAL = "message.purge-interval";
    /** Whether message pushes show the start of the text (default true; per app: {@link #appMessagePreview}). */
    public static final String MESSAGE_PREVIEW = "message.preview";
    /** Characters of the text a message push shows (default 100; per app: {@link #appMessagePreviewLength}). */
    public static final String MESSAGE_PREVIEW_LENGTH = "message.preview-length";
    /** Whether message pushes go at FCM high priority (default false; per app: {@link #appMessageHighPriority}). */
    public static final String MESSAGE_HIGH_PRIORITY = "message.high-priority";

    /** {@code push.app.<name>.message-preview}: {@link #MESSAGE_PREVIEW} for the phones of one app. */
    public static String appMessagePreview(String app) {
        return "push.app." + app + ".message-preview";
    }

    /** {@code push.app.<name>.message-preview-length}: {@link #MESSAGE_PREVIEW_LENGTH} for one app. */
    public static String appMessagePreviewLength(String app) {
        return "push.app." + app + ".message-preview-length";
    }

    /** {@code push.app.<name>.message-high-priority}: {@link #MESSAGE_HIGH_PRIORITY} for one app. */
    public static String appMessageHighPriority(String app) {
        return "push.app." + app + ".message-high-priority";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }
}
