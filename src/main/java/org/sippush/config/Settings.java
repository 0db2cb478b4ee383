package org.sippush.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The server's settings. Every key of the {@link SettingCatalogue} comes from, in this order of
 * precedence: an environment variable {@code SIPPUSH_<KEY>} ({@code sip.bind-address} becomes
 * {@code SIPPUSH_SIP_BIND_ADDRESS}), a Java system property {@code sippush.<key>}, the settings
 * file ({@code conf/sip-push-server.properties}), else the catalogue's default.
 * <p>
 * Per-app keys {@code push.app.<name>.<suffix>} exist for each app named in {@code push.apps}
 * (itself from any source). Their variable is {@code SIPPUSH_PUSH_APP_<NAME>_<SUFFIX>}: a variable
 * is matched against the variables of every listed app and every per-app suffix, so
 * {@code SIPPUSH_PUSH_APP_MY_PHONE_APNS_KEY_ID} with {@code push.apps=my-phone} is
 * {@code push.app.my-phone.apns.key-id}. A variable that two keys share (apps {@code my-phone} and
 * {@code my_phone}) is refused as ambiguous.
 * <p>
 * A variable, property or file key that names no setting (a typo, or an app that {@code push.apps}
 * does not list) is a {@linkplain #problems() problem}: the launcher refuses to start on it.
 * {@code ${name}} inside a value is replaced by the system property {@code name} (for example
 * {@code ${catalina.base}}).
 */
public final class Settings {

    /** System property naming the settings file; default {@code ${catalina.base}/conf/sip-push-server.properties}. */
    public static final String FILE_PROPERTY = "sippush.config";
    /** Environment variable naming the settings file (wins over {@link #FILE_PROPERTY}). */
    public static final String FILE_VARIABLE = "SIPPUSH_CONFIG";
    public static final String FILE_NAME = "sip-push-server.properties";
    /** Environment variables of settings start with this. */
    public static final String ENV_PREFIX = "SIPPUSH_";
    /** System properties of settings start with this. */
    public static final String PROPERTY_PREFIX = "sippush.";
    /** A secret's value as printed. */
    public static final String MASK = "****";

    /** Where a value came from. */
    public enum Source {
        ENVIRONMENT("environment"), PROPERTY("property"), FILE("file"), DEFAULT("default");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One setting as resolved: its value (null when nothing sets it and it has no default) and
     * where it came from ({@code origin}: the variable, the property or the file; null for a default).
     */
    public record Resolved(String key, String value, Source source, String origin, boolean secret) {

        /** The value as it may be printed: secrets masked, passwords in URLs masked. */
        public String shown() {
            if (value == null) {
                return "";
            }
            if (secret) {
                return value.isEmpty() ? "" : MASK;
            }
            return maskUrlSecrets(value);
        }

        /**
         * {@code key=value (source)}, secrets masked: {@code (environment SIPPUSH_SIP_PORT)},
         * {@code (property -Dsippush.sip.port)}, {@code (file)}, {@code (default)} or {@code (not set)}.
         */
        public String describe() {
            String from = switch (source) {
                case DEFAULT -> value == null ? "not set" : "default";
                case FILE -> "file";
                default -> source.label() + " " + origin;
            };
            return key + "=" + shown() + " (" + from + ")";
        }
    }

    private final Map<String, String> values;
    private final List<Resolved> resolved;
    private final List<String> problems;
    private final Path file;

    private Settings(Map<String, String> values, List<Resolved> resolved, List<String> problems, Path file) {
        this.values = values;
        this.resolved = resolved;
        this.problems = problems;
        this.file = file;
    }

    /** The settings from this process's environment, system properties and settings file. */
    public static Settings load() {
        return load(System.getenv(), System.getProperties());
    }

    public static Settings load(Map<String, String> env, Properties system) {
        Path path = settingsFile(env, system);
        Properties fileValues = new Properties();
        boolean fileRead = false;
        if (path != null && Files.isRegularFile(path)) {
            try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                fileValues.load(in);
                fileRead = true;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read settings file " + path, e);
            }
        }
        Map<String, String> fromFile = new TreeMap<>();
        for (String key : fileValues.stringPropertyNames()) {
            fromFile.put(key, fileValues.getProperty(key).trim());
        }
        Map<String, String> fromProperties = new TreeMap<>();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX) && !name.equals(FILE_PROPERTY)) {
                fromProperties.put(name.substring(PROPERTY_PREFIX.length()), system.getProperty(name).trim());
            }
        }
        Map<String, String> fromEnvironment = new TreeMap<>();
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (variable.getKey().startsWith(ENV_PREFIX) && !variable.getKey().equals(FILE_VARIABLE)) {
                fromEnvironment.put(variable.getKey(), variable.getValue().trim());
            }
        }

        List<String> problems = new ArrayList<>();
        String appsText = firstOf(fromEnvironment.get(environmentName(SettingCatalogue.APPS)),
                fromProperties.get(SettingCatalogue.APPS), fromFile.get(SettingCatalogue.APPS), "");
        List<String> apps = list(appsText).stream().distinct().toList();
        for (String app : apps) {
            if (!app.matches("[A-Za-z0-9_-]+")) {
                problems.add("push.apps: app name '" + app + "' may hold only letters, digits, '-' and '_'");
            }
        }

        // which key each variable, property and file line stands for
        Map<String, Resolved> chosen = new LinkedHashMap<>();
        String fileName = path == null ? "" : path.toString();
        for (Map.Entry<String, String> entry : fromFile.entrySet()) {
            Optional<SettingKey> key = SettingCatalogue.find(entry.getKey(), apps);
            if (key.isEmpty()) {
                problems.add(entry.getKey() + " in " + fileName + " names no setting" + appHint(entry.getKey(), apps));
            } else {
                chosen.put(entry.getKey(), new Resolved(entry.getKey(), entry.getValue(), Source.FILE, fileName,
                        key.get().secret()));
            }
        }
        for (Map.Entry<String, String> entry : fromProperties.entrySet()) {
            Optional<SettingKey> key = SettingCatalogue.find(entry.getKey(), apps);
            if (key.isEmpty()) {
                problems.add("-D" + PROPERTY_PREFIX + entry.getKey() + " names no setting" + appHint(entry.getKey(), apps));
            } else {
                chosen.put(entry.getKey(), new Resolved(entry.getKey(), entry.getValue(), Source.PROPERTY,
                        "-D" + PROPERTY_PREFIX + entry.getKey(), key.get().secret()));
            }
        }
        for (Map.Entry<String, String> entry : fromEnvironment.entrySet()) {
            String variable = entry.getKey();
            List<String> keys = SettingCatalogue.keysOfVariable(variable, apps);
            if (keys.isEmpty()) {
                problems.add(variable + " names no setting" + variableHint(variable, apps));
            } else if (keys.size() > 1) {
                problems.add(variable + " is ambiguous: it is the variable of " + String.join(" and ", keys)
                        + "; rename an app in push.apps, or set these keys in the settings file");
            } else {
                String key = keys.get(0);
                chosen.put(key, new Resolved(key, entry.getValue(), Source.ENVIRONMENT, variable,
                        SettingCatalogue.find(key, apps).orElseThrow().secret()));
            }
        }

        List<Resolved> resolved = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, SettingKey> entry : SettingCatalogue.expand(apps).entrySet()) {
            String key = entry.getKey();
            Resolved setting = chosen.get(key);
            if (setting == null) {
                String fallback = entry.getValue().defaultValue();
                setting = new Resolved(key, fallback.isEmpty() ? null : fallback, Source.DEFAULT, null,
                        entry.getValue().secret());
            }
            if (setting.value() != null) {
                String value = expand(setting.value(), system);
                setting = new Resolved(key, value, setting.source(), setting.origin(), setting.secret());
                values.put(key, value);
            }
            resolved.add(setting);
        }
        return new Settings(Map.copyOf(values), List.copyOf(resolved), List.copyOf(problems), fileRead ? path : null);
    }

    private static String appHint(String key, List<String> apps) {
        if (!key.startsWith(SettingCatalogue.APP_PREFIX)) {
            return "";
        }
        return " (per-app keys are push.app.<name>.<" + String.join("|", suffixes()) + "> for an app <name> of push.apps"
                + (apps.isEmpty() ? ", which names none" : ": " + String.join(",", apps)) + ")";
    }

    private static String variableHint(String variable, List<String> apps) {
        if (!variable.startsWith(ENV_PREFIX + SettingKey.envForm(SettingCatalogue.APP_PREFIX))) {
            return "";
        }
        return " (per-app variables are SIPPUSH_PUSH_APP_<NAME>_<SUFFIX> for an app of push.apps"
                + (apps.isEmpty() ? ", which names none" : ": " + String.join(",", apps))
                + "; suffixes " + String.join(", ", suffixes().stream().map(SettingKey::envForm).toList()) + ")";
    }

    private static List<String> suffixes() {
        return SettingCatalogue.perApp().stream().map(SettingKey::name).toList();
    }

    private static String firstOf(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Path settingsFile(Map<String, String> env, Properties system) {
        String named = env.getOrDefault(FILE_VARIABLE, system.getProperty(FILE_PROPERTY));
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        String base = system.getProperty("catalina.base");
        return base == null ? null : Path.of(base, "conf", FILE_NAME);
    }

    /** {@code sip.bind-address} → {@code SIPPUSH_SIP_BIND_ADDRESS}; {@code push.app.phone.id} → {@code SIPPUSH_PUSH_APP_PHONE_ID}. */
    public static String environmentName(String key) {
        return ENV_PREFIX + SettingKey.envForm(key);
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

    /** A password inside a URL ({@code user:password@host}, {@code password=...}) replaced by {@link #MASK}. */
    public static String maskUrlSecrets(String value) {
        return value.replaceAll("(?i)(password=)[^;&]*", "$1" + MASK)
                .replaceAll("(?i)^([a-z][a-z0-9+.-]*://[^/:@]*):[^/@]*@", "$1:" + MASK + "@");
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
        return list(get(key, ""));
    }

    /** Every setting that has a value, for exporting to the container as {@code sippush.*} system properties. */
    public Map<String, String> asMap() {
        return values;
    }

    /** Every setting of the catalogue (per-app keys for each app of {@code push.apps}), with its source. */
    public List<Resolved> resolved() {
        return resolved;
    }

    /**
     * What names no setting: variables, properties and file keys that are not in the catalogue (or
     * name an app {@code push.apps} does not list), ambiguous variables, bad app names. Empty when
     * all is well.
     */
    public List<String> problems() {
        return problems;
    }

    /** The settings file that was read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** One line per setting, {@code key=value (source)}, secrets masked. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        resolved.forEach(setting -> out.append(setting.describe()).append('\n'));
        return out.toString();
    }

    /** Whether the catalogue marks {@code key} as secret (passwords, the nonce secret). */
    public boolean isSecret(String key) {
        return resolved.stream().anyMatch(r -> r.key().equals(key) && r.secret());
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
