package org.sippush.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting the server knows, in one place, one line each: its key, its default and whether it
 * is secret. A key that is not here cannot be set (a {@code SIPPUSH_*} variable, {@code -Dsippush.*}
 * property or settings-file line naming no key here stops the start). The shipped settings file,
 * this list and the README's settings table are checked against each other by
 * {@code SettingCatalogueTest}.
 * <p>
 * Per-app keys are suffixes: {@code apns.team-id} is {@code push.app.<name>.apns.team-id} for each
 * app {@code <name>} listed in {@code push.apps}.
 */
public final class SettingCatalogue {

    /** Per-app keys start with this, then the app's name (as written in {@code push.apps}), a dot, the suffix. */
    public static final String APP_PREFIX = "push.app.";
    /** The key that names the apps. */
    public static final String APPS = "push.apps";

    private static final List<SettingKey> KEYS = List.of(
            // --- SIP
            key("sip.bind-address", "127.0.0.1"),
            key("sip.port", "5060"),
            key("sip.domains", "localhost,127.0.0.1"),
            key("sip.tls-port", "5061"),
            key("sip.tls.keystore", ""),
            secret("sip.tls.keystore-password"),
            key("sip.tls.keystore-type", "PKCS12"),
            key("sip.tls.truststore", ""),
            secret("sip.tls.truststore-password"),
            // --- HTTP and the admin console
            key("http.address", "127.0.0.1"),
            key("http.port", "8080"),
            key("admin.user", "admin"),
            secretWithDefault("admin.password", "change-me"),
            // --- registrar
            key("registrar.min-expires", "60"),
            key("registrar.max-expires", "86400"),
            key("registrar.default-expires", "3600"),
            key("registrar.purge-interval", "60"),
            // --- database
            key("db.url", "jdbc:h2:file:${catalina.base}/data/sippush;DB_CLOSE_ON_EXIT=FALSE"),
            key("db.user", "sa"),
            secret("db.password"),
            key("db.pool-size", "10"),
            key("db.writers", "2"),
            key("db.batch-size", "64"),
            // --- calls to sleeping phones, pushes
            key("push.wait", "30"),
            key("push.provider", "log"),
            key("push.webhook.url", ""),
            key("push.threads", "4"),
            key("push.queue", "10000"),
            key("push.missed-call-notice", "false"),
            key("push.grace-ms", "0"),
            key(APPS, ""),
            key("push.apns.host", ""),
            key("push.apns.sandbox-host", ""),
            key("push.apns.port", "443"),
            key("push.apns.trust-cert", ""),
            key("push.fcm.endpoint", ""),
            // --- per app (push.app.<name>.<suffix>)
            app("id"),
            app("apns.key-file"),
            app("apns.team-id"),
            app("apns.key-id"),
            app("apns.cert-file"),
            appSecret("apns.cert-password"),
            app("fcm.project-id"),
            app("fcm.service-account"),
            app("missed-call-notice"),
            app("push-grace-ms"),
            app("message-preview"),
            app("message-preview-length"),
            app("message-high-priority"),
            // --- security
            key("auth.enabled", "true"),
            key("auth.realm", ""),
            key("auth.algorithms", "SHA-256,MD5"),
            key("auth.nonce-lifetime", "300"),
            secret("auth.nonce-secret"),
            key("auth.trusted-peers", ""),
            // --- limits
            key("limits.requests-per-second", "50"),
            key("limits.request-burst", "100"),
            key("limits.pushes-per-device-per-minute", "10"),
            key("limits.contacts-per-aor", "10"),
            key("limits.held-calls-per-user", "10"),
            key("limits.held-calls", "20000"),
            // --- instant messages
            key("message.expiry", "604800"),
            key("message.max-per-user", "100"),
            key("message.max-body-bytes", "8192"),
            key("message.purge-interval", "60"),
            key("message.preview", "true"),
            key("message.preview-length", "100"),
            key("message.high-priority", "false"),
            // --- stopping
            key("shutdown.drain-seconds", "20"));

    private SettingCatalogue() {
    }

    private static SettingKey key(String name, String defaultValue) {
        return new SettingKey(name, defaultValue, false, false);
    }

    private static SettingKey secret(String name) {
        return new SettingKey(name, "", true, false);
    }

    private static SettingKey secretWithDefault(String name, String defaultValue) {
        return new SettingKey(name, defaultValue, true, false);
    }

    private static SettingKey app(String suffix) {
        return new SettingKey(suffix, "", false, true);
    }

    private static SettingKey appSecret(String suffix) {
        return new SettingKey(suffix, "", true, true);
    }

    /** Every key, in the order of the settings file (per-app keys as suffixes). */
    public static List<SettingKey> all() {
        return KEYS;
    }

    /** The keys of their own (not per app). */
    public static List<SettingKey> global() {
        return KEYS.stream().filter(k -> !k.perApp()).toList();
    }

    /** The per-app suffixes. */
    public static List<SettingKey> perApp() {
        return KEYS.stream().filter(SettingKey::perApp).toList();
    }

    /**
     * What {@code key} is, for the apps {@code apps}: a key of its own, or
     * {@code push.app.<one of apps>.<a per-app suffix>}; empty if it names no setting.
     */
    public static Optional<SettingKey> find(String key, List<String> apps) {
        for (SettingKey k : global()) {
            if (k.name().equals(key)) {
                return Optional.of(k);
            }
        }
        if (key.startsWith(APP_PREFIX)) {
            for (String app : apps) {
                String prefix = APP_PREFIX + app + ".";
                if (key.startsWith(prefix)) {
                    String suffix = key.substring(prefix.length());
                    for (SettingKey k : perApp()) {
                        if (k.name().equals(suffix)) {
                            return Optional.of(k);
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The keys an environment variable can stand for, for the apps {@code apps}: a key of its own
     * whose variable it is, or every {@code (app, suffix)} whose variable it is. More than one is
     * an ambiguity (two apps whose names differ only in {@code -}, {@code _} or case, or an app name
     * that ends like a suffix); none, an unknown variable.
     */
    public static List<String> keysOfVariable(String variable, List<String> apps) {
        List<String> keys = new ArrayList<>();
        for (SettingKey k : global()) {
            if (k.environmentName(null).equals(variable)) {
                keys.add(k.name());
            }
        }
        for (String app : apps) {
            for (SettingKey k : perApp()) {
                if (k.environmentName(app).equals(variable)) {
                    keys.add(k.key(app));
                }
            }
        }
        return keys;
    }

    /**
     * Every key for the apps {@code apps}, in catalogue order; the per-app keys app by app, where
     * the catalogue lists the per-app suffixes.
     */
    public static Map<String, SettingKey> expand(List<String> apps) {
        Map<String, SettingKey> keys = new LinkedHashMap<>();
        boolean appsDone = false;
        for (SettingKey k : KEYS) {
            if (!k.perApp()) {
                keys.put(k.name(), k);
            } else if (!appsDone) {
                appsDone = true;
                for (String app : apps) {
                    for (SettingKey suffix : perApp()) {
                        keys.put(suffix.key(app), suffix);
                    }
                }
            }
        }
        return keys;
    }
}
