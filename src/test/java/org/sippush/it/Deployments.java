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
}
