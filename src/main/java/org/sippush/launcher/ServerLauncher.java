package org.sippush.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sippush.config.Settings;

/**
 * Starts the standalone container the way users run it: Tomcat's {@code Bootstrap} with
 * {@code catalina.base} pointing at the assembled server directory ({@code target/server}).
 * <p>
 * It resolves the settings (file, then system properties, then {@code SIPPUSH_*} environment
 * variables) and publishes each as a {@code sippush.<key>} system property, which
 * {@code conf/server.xml} and {@code conf/tomcat-users.xml} read as {@code ${sippush.<key>}}.
 * <p>
 * Before that it refuses to start (one line on stderr, exit status 78) on a {@code SIPPUSH_*}
 * variable, {@code -Dsippush.*} property or settings-file key that names no setting
 * ({@link Settings#problems()}), and on settings that would expose the server: the admin console
 * off loopback with the shipped password ({@link AdminConsoleGuard}), or a TLS keystore that cannot
 * be opened ({@link TlsSettings}).
 * It prints every setting with where it came from, secrets masked.
 * Ctrl-C (SIGINT) or SIGTERM stops the container through Tomcat's shutdown hook.
 */
public final class ServerLauncher {

    private ServerLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("catalina.base", "target/server")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(base.resolve("conf/server.xml"))) {
            System.err.println("No server assembled at " + base + ": run `mvn package` first.");
            System.exit(2);
        }
        System.setProperty("catalina.base", base.toString());
        System.setProperty("catalina.home", System.getProperty("catalina.home", base.toString()));
        System.setProperty(Settings.FILE_PROPERTY, System.getProperty(Settings.FILE_PROPERTY,
                base.resolve("conf").resolve(Settings.FILE_NAME).toString()));
        defaultProperty("log4j.configuration", base.resolve("conf/log4j.xml").toUri().toString());
        defaultProperty("java.util.logging.config.file", base.resolve("conf/logging.properties").toString());
        // as catalina.sh does: Tomcat's log manager keeps logging while the JVM shuts down
        defaultProperty("java.util.logging.manager", "org.apache.juli.ClassLoaderLogManager");
        defaultProperty("javax.servlet.sip.ar.spi.SipApplicationRouterProvider",
                "org.mobicents.servlet.sip.router.DefaultApplicationRouterProvider");

        Settings settings = Settings.load();
        TlsSettings tls;
        String certificate = null;
        try {
            if (!settings.problems().isEmpty()) {
                throw new StartupRefused(String.join("; ", settings.problems()));
            }
            AdminConsoleGuard.check(settings.get("http.address"), settings.get("admin.password"));
            tls = TlsSettings.of(settings.asMap(), base);
            if (tls.enabled()) {
                certificate = tls.check();
            }
        } catch (StartupRefused e) {
            System.err.println("sip-push-server: refusing to start: " + e.getMessage());
            System.exit(StartupRefused.EXIT_STATUS);
            return;
        }
        for (Map.Entry<String, String> setting : settings.asMap().entrySet()) {
            System.setProperty("sippush." + setting.getKey(), setting.getValue());
        }
        for (Map.Entry<String, String> setting : tls.published().entrySet()) {
            System.setProperty("sippush." + setting.getKey(), setting.getValue());
        }
        createDirectories(base);
        printSettings(settings);
        System.out.printf("sip-push-server: SIP %s:%s (udp, tcp)%s, admin console http://%s:%s/manager/html, database %s%n",
                settings.get("sip.bind-address"), settings.get("sip.port"),
                tls.enabled() ? ", " + settings.get("sip.bind-address") + ":" + tls.port() + " (tls, " + certificate + ")" : "",
                settings.get("http.address"), settings.get("http.port"), maskUrl(settings.get("db.url")));

        org.apache.catalina.startup.Bootstrap.main(new String[] {"start"});
    }

    /**
     * Every setting, one line each, with where its value came from (environment, property, file or
     * default); passwords and secrets masked.
     */
    private static void printSettings(Settings settings) {
        System.out.println("sip-push-server: settings (environment SIPPUSH_*, then -Dsippush.*, then "
                + settings.file().map(Path::toString).orElse("no settings file") + ", then defaults):");
        for (Settings.Resolved setting : settings.resolved()) {
            System.out.println("sip-push-server:   " + setting.describe());
        }
    }

    private static void createDirectories(Path base) throws IOException {
        for (String dir : new String[] {"logs", "temp", "work", "data", "webapps"}) {
            Files.createDirectories(base.resolve(dir));
        }
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** A JDBC URL may carry a password parameter: print it without one. */
    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1****");
    }
}
