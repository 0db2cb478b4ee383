package org.sippush.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One key of the {@link SettingCatalogue}: either a key of its own ({@code sip.port}) or a per-app
 * suffix ({@code apns.team-id}, which stands for {@code push.app.<name>.apns.team-id} for every app
 * named in {@code push.apps}).
 *
 * @param name         the key, or the per-app suffix
 * @param defaultValue the value when nothing sets it ({@code ""}: none)
 * @param secret       whether its value is never shown (passwords, secrets): printed as {@code ****}
 * @param perApp       whether {@link #name} is a suffix after {@code push.app.<name>.}
 */
public record SettingKey(String name, String defaultValue, boolean secret, boolean perApp) {

    public SettingKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        if (!name.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting key '" + name
                    + "': lower-case letters and digits, separated by single '.' or '-'");
        }
    }

    /** The key for app {@code app}: {@code push.app.<app>.<suffix>}; for a key of its own, the key. */
    public String key(String app) {
        return perApp ? SettingCatalogue.APP_PREFIX + app + "." + name : name;
    }

    /** The environment variable for app {@code app} (ignored for a key of its own). */
    public String environmentName(String app) {
        return Settings.ENV_PREFIX + envForm(perApp ? SettingCatalogue.APP_PREFIX + app + "." + name : name);
    }

    /** Upper case, {@code .} and {@code -} as {@code _}: {@code sip.bind-address} → {@code SIP_BIND_ADDRESS}. */
    static String envForm(String text) {
        return text.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
