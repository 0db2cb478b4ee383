package org.sippush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {

    static final String PASSWORD = "unit-test";

    @TempDir
    static Path dir;
    static Path keystore;
    static Path trustOnly;

    /** A PKCS12 keystore with a key (keytool -genkeypair) and one with only its certificate (-importcert). */
    @BeforeAll
    static void keystores() throws Exception {
        keystore = dir.resolve("server.p12");
        trustOnly = dir.resolve("trust.p12");
        Path certificate = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=unit test",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-file", certificate.toString(),
                "-keystore", keystore.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certificate.toString(),
                "-keystore", trustOnly.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
    }

    @Test
    void offWithoutAKeystoreOrWithPortZero() throws StartupRefused {
        TlsSettings none = TlsSettings.of(Map.of("sip.tls-port", "5061", "sip.tls.keystore", ""), dir);
        TlsSettings zero = TlsSettings.of(Map.of("sip.tls-port", "0", "sip.tls.keystore", "server.p12"), dir);
        TlsSettings empty = TlsSettings.of(Map.of("sip.tls-port", "", "sip.tls.keystore", "server.p12"), dir);

        assertFalse(none.enabled());
        assertTrue(none.whyOff().contains("sip.tls.keystore"), none.whyOff());
        assertFalse(zero.enabled());
        assertEquals("sip.tls-port is 0", zero.whyOff());
        assertFalse(empty.enabled());
        assertEquals("0", empty.published().get("sip.tls-port"));
    }

    @Test
    void onWithAKeystoreRelativeToTheServerDirectory() throws StartupRefused {
        TlsSettings tls = TlsSettings.of(settings("server.p12", PASSWORD), dir);

        assertTrue(tls.enabled());
        assertNull(tls.whyOff());
        assertEquals(keystore.toAbsolutePath(), tls.keystore());
        assertEquals("PKCS12", tls.type());
        assertEquals("CN=unit test", tls.check());
        assertEquals(keystore.toAbsolutePath().toString(), tls.stackProperties().getProperty("javax.net.ssl.keyStore"));
    }

    @Test
    void aJksKeystoreOpensWithItsType() throws Exception {
        Path jks = dir.resolve("server.jks");
        keytool("-importkeystore", "-srckeystore", keystore.toString(), "-srcstoretype", "PKCS12",
                "-srcstorepass", PASSWORD, "-destkeystore", jks.toString(), "-deststoretype", "JKS",
                "-deststorepass", PASSWORD);
        Map<String, String> settings = settings(jks.toString(), PASSWORD);
        settings.put("sip.tls.keystore-type", "JKS");

        TlsSettings tls = TlsSettings.of(settings, dir);

        assertEquals("CN=unit test", tls.check());
        assertEquals("JKS", tls.stackProperties().getProperty("javax.net.ssl.keyStoreType"));
    }

    @Test
    void theTruststoreIsTheJvmsCaCertificatesUnlessSet() throws StartupRefused {
        TlsSettings byDefault = TlsSettings.of(settings(keystore.toString(), PASSWORD), dir);
        Map<String, String> withTruststore = settings(keystore.toString(), PASSWORD);
        withTruststore.put("sip.tls.truststore", "trust.p12");
        withTruststore.put("sip.tls.truststore-password", PASSWORD);
        TlsSettings named = TlsSettings.of(withTruststore, dir);

        assertEquals(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"), byDefault.truststore());
        assertEquals("changeit", byDefault.truststorePassword());
        assertEquals("CN=unit test", byDefault.check(), "the JVM's cacerts opens with changeit");
        assertEquals(trustOnly.toAbsolutePath(), named.truststore());
        assertEquals("CN=unit test", named.check());
        assertEquals(trustOnly.toAbsolutePath().toString(), named.stackProperties().getProperty("javax.net.ssl.trustStore"));
    }

    @Test
    void refusesWhatTheSipStackCouldNotServe() throws StartupRefused {
        Map<String, String> badTruststorePassword = settings(keystore.toString(), PASSWORD);
        badTruststorePassword.put("sip.tls.truststore", trustOnly.toString());
        badTruststorePassword.put("sip.tls.truststore-password", "wrong");

        assertRefused(settings("missing.p12", PASSWORD), "no such readable file");
        assertRefused(settings(keystore.toString(), "wrong"), "sip.tls.keystore-password (SIPPUSH_SIP_TLS_KEYSTORE_PASSWORD)");
        assertRefused(settings(trustOnly.toString(), PASSWORD), "holds no private key");
        assertRefused(badTruststorePassword, "sip.tls.truststore-password (SIPPUSH_SIP_TLS_TRUSTSTORE_PASSWORD)");
        Map<String, String> badType = settings(keystore.toString(), PASSWORD);
        badType.put("sip.tls.keystore-type", "PEM");
        assertRefused(badType, "sip.tls.keystore-type 'PEM'");
        assertThrows(StartupRefused.class, () -> TlsSettings.of(Map.of("sip.tls-port", "tls"), dir));
        assertThrows(StartupRefused.class, () -> TlsSettings.of(Map.of("sip.tls-port", "70000"), dir));
    }

    private static void assertRefused(Map<String, String> settings, String expected) throws StartupRefused {
        TlsSettings tls = TlsSettings.of(settings, dir);
        StartupRefused refused = assertThrows(StartupRefused.class, tls::check);
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"), "one line: " + refused.getMessage());
    }

    private static Map<String, String> settings(String keystore, String password) {
        Map<String, String> settings = new HashMap<>();
        settings.put("sip.tls-port", "5061");
        settings.put("sip.tls.keystore", keystore);
        settings.put("sip.tls.keystore-password", password);
        settings.put("sip.tls.keystore-type", "PKCS12");
        return settings;
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        String[] command = new String[arguments.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
    }
}
