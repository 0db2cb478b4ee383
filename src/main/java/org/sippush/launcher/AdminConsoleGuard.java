package org.sippush.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The admin console (Tomcat's manager: deploy, stop and undeploy applications) stays on the machine
 * itself while it has the password everybody can read in the shipped settings file. The HTTP
 * connector binds {@code http.address}; if that is not a loopback address (0.0.0.0, ::, or any
 * other interface) and {@code admin.password} is still {@value #SHIPPED_PASSWORD} or empty, the
 * launcher refuses to start before anything is bound.
 */
final class AdminConsoleGuard {

    /** The password of the shipped settings file. */
    static final String SHIPPED_PASSWORD = "change-me";

    private AdminConsoleGuard() {
    }

    static void check(String httpAddress, String adminPassword) throws StartupRefused {
        String password = adminPassword == null ? "" : adminPassword.trim();
        if (!password.isEmpty() && !password.equals(SHIPPED_PASSWORD)) {
            return;
        }
        if (isLoopback(httpAddress)) {
            return;
        }
        throw new StartupRefused("the admin console would listen on " + httpAddress
                + " (http.address), which is not a loopback address, with " + (password.isEmpty() ? "an empty"
                : "the shipped") + " admin password; set admin.password (SIPPUSH_ADMIN_PASSWORD) to a password"
                + " of your own, or http.address (SIPPUSH_HTTP_ADDRESS) to 127.0.0.1");
    }

    /**
     * Whether every address {@code address} stands for is a loopback address, resolved as Tomcat
     * resolves the connector's address ({@link InetAddress}: "localhost" and "::1" are loopback,
     * "0.0.0.0" and "::" are every interface). A name that does not resolve counts as not loopback.
     */
    static boolean isLoopback(String address) {
        try {
            InetAddress[] all = InetAddress.getAllByName(address == null ? null : address.trim());
            return Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
