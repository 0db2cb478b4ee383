package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sippush.testsupport.StandaloneServer;
import org.sippush.testsupport.TestCertificates;

/**
 * What the launcher checks before Tomcat binds anything, on the standalone server as users run
 * it: a variable or property that names no setting stops the start, the admin console is not
 * exposed with the shipped password, a TLS keystore that cannot be opened stops the start. (The
 * start users get out of the box, with TLS off and no statistics reported, is checked by
 * {@link DistributionIT} on the distribution's own start.)
 * <p>
 * A refused start never gets as far as Tomcat: the process prints one line and exits with 78,
 * so nothing is bound on 0.0.0.0 even for a moment.
 */
class StartupChecksIT {

    /** EX_CONFIG of sysexits.h, the launcher's exit status for a refused setting. */
    static final int REFUSED = 78;

    private final Path workDir = Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath();
    private StandaloneServer server;

    @AfterEach
    void stopTheServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "http.address {0}")
    @ValueSource(strings = {"0.0.0.0", "::"})
    void theShippedAdminPasswordIsRefusedOffLoopback(String address) {
        server = StandaloneServer.copyOf("refuse").setting("SIPPUSH_HTTP_ADDRESS", address);

        int exit = server.startExpectingExit();

        assertRefusedWith(exit, "admin.password", "SIPPUSH_ADMIN_PASSWORD", address);
    }

    @Test
    void anEmptyAdminPasswordIsRefusedOffLoopback() {
        server = StandaloneServer.copyOf("refuse").setting("SIPPUSH_HTTP_ADDRESS", "0.0.0.0")
                .setting("SIPPUSH_ADMIN_PASSWORD", "");

        assertRefusedWith(server.startExpectingExit(), "admin.password", "SIPPUSH_ADMIN_PASSWORD", "an empty");
    }

    @Test
    void aTlsKeystoreThatCannotBeOpenedIsRefused() {
        TestCertificates certificates = TestCertificates.create(workDir.resolve("tls-" + UUID.randomUUID()));
        server = StandaloneServer.copyOf("refuse").tls(certificates.keystore(), "not-the-password");

        assertRefusedWith(server.startExpectingExit(), "sip.tls.keystore-password",
                "SIPPUSH_SIP_TLS_KEYSTORE_PASSWORD", certificates.keystore().toString());
    }

    @Test
    void aVariableThatNamesNoSettingIsRefusedWithItsName() {
        server = StandaloneServer.copyOf("refuse").setting("SIPPUSH_PUSH_WAITT", "10")
                .setting("SIPPUSH_PUSH_APP_PHONE_ID", "com.example.phone");

        assertRefusedWith(server.startExpectingExit(), "SIPPUSH_PUSH_WAITT names no setting",
                "SIPPUSH_PUSH_APP_PHONE_ID names no setting", "push.apps");
    }

    @Test
    void aPropertyThatNamesNoSettingIsRefusedWithItsName() {
        server = StandaloneServer.copyOf("refuse").jvmOptions("-Dsippush.sip.prot=45080");

        assertRefusedWith(server.startExpectingExit(), "-Dsippush.sip.prot names no setting");
    }

    private void assertRefusedWith(int exit, String... expected) {
        List<String> printed = server.output();
        assertEquals(REFUSED, exit, String.join("\n", printed));
        assertEquals(1, printed.size(), "one line, and Tomcat never ran: " + printed);
        for (String text : expected) {
            assertTrue(printed.get(0).contains(text), "'" + text + "' in: " + printed.get(0));
        }
        System.out.println("Refused (exit " + exit + "): " + printed.get(0));
    }
}
