package org.sippush.it;

import java.io.File;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The deployments of the integration tests: the real archive the build produced. */
public final class Deployments {

    private Deployments() {
    }

    /** {@code target/sip-push-server.war}, as users deploy it. */
    public static WebArchive war() {
        File war = new File(System.getProperty("it.war", "target/sip-push-server.war"));
        if (!war.isFile()) {
            throw new IllegalStateException("Build the archive first (mvn verify runs package before the tests): " + war);
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    /** The SIP port of the embedded container (UDP and TCP). */
    public static int sipPort() {
        return Integer.getInteger("it.sip.port");
    }

    /** Points the application at an H2 file database of its own under target/it and returns its URL. */
    public static String useH2(String name) {
        String url = "jdbc:h2:file:" + new File(System.getProperty("it.work.dir", "target/it"), name).getAbsolutePath()
                + ";AUTO_SERVER=TRUE";
        useDatabase(url, "sa", "");
        return url;
    }

    public static void useDatabase(String url, String user, String password) {
        System.setProperty("sippush.db.url", url);
        System.setProperty("sippush.db.user", user);
        System.setProperty("sippush.db.password", password);
    }

    /**
     * The deployment runs without digest authentication, rate or push limits: for the tests of
     * other features, whose phones all send from 127.0.0.1. (Settings are system properties of
     * the test JVM, shared by every deployment: each test class says which it wants.)
     */
    public static void openAccess() {
        System.setProperty("sippush.auth.enabled", "false");
        System.setProperty("sippush.auth.trusted-peers", "");
        System.setProperty("sippush.limits.requests-per-second", "0");
        System.setProperty("sippush.limits.pushes-per-device-per-minute", "0");
        System.setProperty("sippush.limits.held-calls-per-user", "100000");
    }
}
