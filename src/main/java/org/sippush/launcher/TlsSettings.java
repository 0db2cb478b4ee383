package org.sippush.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;

import org.sippush.config.Settings;

/**
 * SIP over TLS: {@code sip.tls-port}, {@code sip.tls.keystore}, {@code sip.tls.keystore-password},
 * {@code sip.tls.keystore-type}, {@code sip.tls.truststore} and {@code sip.tls.truststore-password}.
 * TLS listens when a keystore is named and the port is not 0.
 * <p>
 * JAIN-SIP (1.3, {@code SipStackImpl} and {@code SslNetworkLayer}) serves TLS from the keystore
 * named in its stack properties ({@code javax.net.ssl.keyStore}, {@code javax.net.ssl.keyStorePassword},
 * {@code javax.net.ssl.keyStoreType}), and checks the certificate of a phone it connects to (to
 * deliver a call to a {@code transport=tls} contact) against {@code javax.net.ssl.trustStore}. Left
 * to itself it would trust only the keystore's own certificate; here the truststore defaults to the
 * JVM's CA certificates. A keystore or truststore the stack cannot open is only logged there, and
 * the TLS port would then fail every handshake, so the launcher opens both first, the way the stack
 * will, and refuses to start if that fails.
 *
 * @param port               the TLS port; 0 when TLS is off
 * @param keystore           absolute path of the keystore, or null when none is set
 * @param password           the keystore's password, also the private key's
 * @param type               the keystore type (PKCS12 unless set), also used to open the truststore
 *                           (Java opens PKCS12 and JKS files as either type)
 * @param truststore         absolute path of the truststore: the named one, else the JVM's cacerts
 * @param truststorePassword the truststore's password ({@value #CACERTS_PASSWORD} for the JVM's cacerts
 *                           unless set)
 */
record TlsSettings(int port, Path keystore, String password, String type, Path truststore, String truststorePassword) {

    static final String PORT = "sip.tls-port";
    static final String KEYSTORE = "sip.tls.keystore";
    static final String PASSWORD = "sip.tls.keystore-password";
    static final String TYPE = "sip.tls.keystore-type";
    static final String TRUSTSTORE = "sip.tls.truststore";
    static final String TRUSTSTORE_PASSWORD = "sip.tls.truststore-password";
    static final String DEFAULT_TYPE = "PKCS12";
    /** The JDK's (and Debian's ca-certificates-java) password of lib/security/cacerts. */
    static final String CACERTS_PASSWORD = "changeit";

    /** Reads the four settings; a relative keystore path is relative to {@code base} (catalina.base). */
    static TlsSettings of(Map<String, String> settings, Path base) throws StartupRefused {
        String portText = settings.getOrDefault(PORT, "").trim();
        int port;
        try {
            port = portText.isEmpty() ? 0 : Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new StartupRefused(PORT + " (SIPPUSH_SIP_TLS_PORT) must be a port number, or 0 for no TLS, not '"
                    + portText + "'");
        }
        String file = settings.getOrDefault(KEYSTORE, "").trim();
        Path keystore = file.isEmpty() ? null : base.resolve(file).toAbsolutePath().normalize();
        String type = settings.getOrDefault(TYPE, "").trim();
        String trustFile = settings.getOrDefault(TRUSTSTORE, "").trim();
        String trustPassword = settings.getOrDefault(TRUSTSTORE_PASSWORD, "");
        Path truststore;
        if (trustFile.isEmpty()) {
            truststore = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
            trustPassword = trustPassword.isEmpty() ? CACERTS_PASSWORD : trustPassword;
        } else {
            truststore = base.resolve(trustFile).toAbsolutePath().normalize();
        }
        return new TlsSettings(port, keystore, settings.getOrDefault(PASSWORD, ""),
                type.isEmpty() ? DEFAULT_TYPE : type, truststore, trustPassword);
    }

    boolean enabled() {
        return port > 0 && keystore != null;
    }

    /** Why TLS is off, for the log; null when it is on. */
    String whyOff() {
        if (keystore == null) {
            return "no keystore set (" + KEYSTORE + ", SIPPUSH_SIP_TLS_KEYSTORE)";
        }
        if (port == 0) {
            return PORT + " is 0";
        }
        return null;
    }

    /**
     * Opens the keystore and the truststore as JAIN-SIP will (type, file, password; the key under
     * the keystore's password) and returns the subject of the keystore's first key's certificate.
     */
    String check() throws StartupRefused {
        String where = KEYSTORE + " " + keystore;
        char[] secret = password.toCharArray();
        KeyStore store = open(keystore, KEYSTORE, secret, PASSWORD);
        KeyStore trusted = open(truststore, TRUSTSTORE, truststorePassword.toCharArray(), TRUSTSTORE_PASSWORD);
        try {
            if (Collections.list(trusted.aliases()).stream().noneMatch(alias -> isCertificateEntry(trusted, alias))) {
                throw new StartupRefused(TRUSTSTORE + " " + truststore + " holds no trusted certificate");
            }
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
                    store.getKey(alias, secret);
                    return store.getCertificate(alias) instanceof X509Certificate x509
                            ? x509.getSubjectX500Principal().getName() : alias;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new StartupRefused(where + ": the private key cannot be read with the keystore's password ("
                    + PASSWORD + "): " + e.getMessage(), e);
        }
        throw new StartupRefused(where + " holds no private key with its certificate");
    }

    private KeyStore open(Path file, String setting, char[] secret, String passwordSetting) throws StartupRefused {
        String where = setting + " " + file;
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new StartupRefused(where + ": no such readable file (" + Settings.environmentName(setting) + ")");
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            throw new StartupRefused(TYPE + " '" + type + "' is not a keystore type this Java knows (PKCS12, JKS)", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, secret);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new StartupRefused(where + " cannot be opened as " + type + " with " + passwordSetting
                    + " (" + Settings.environmentName(passwordSetting) + "): " + e.getMessage(), e);
        }
    }

    private static boolean isCertificateEntry(KeyStore store, String alias) {
        try {
            return store.isCertificateEntry(alias);
        } catch (KeyStoreException e) {
            return false;
        }
    }

    /** The JAIN-SIP stack properties that make its TLS listening point serve this keystore. */
    Properties stackProperties() {
        Properties stack = new Properties();
        stack.setProperty("javax.net.ssl.keyStore", keystore.toString());
        stack.setProperty("javax.net.ssl.keyStorePassword", password);
        stack.setProperty("javax.net.ssl.keyStoreType", type);
        stack.setProperty("javax.net.ssl.trustStore", truststore.toString());
        stack.setProperty("javax.net.ssl.trustStorePassword", truststorePassword);
        return stack;
    }

    /** How the launcher hands these settings to the container: {@code sippush.*} system properties. */
    Map<String, String> published() {
        return Map.of(PORT, Integer.toString(port), KEYSTORE, keystore == null ? "" : keystore.toString(),
                PASSWORD, password, TYPE, type, TRUSTSTORE, truststore.toString(), TRUSTSTORE_PASSWORD, truststorePassword);
    }

    @Override
    public String toString() {
        return "TlsSettings[port=" + port + ", keystore=" + keystore + ", type=" + type + ", truststore=" + truststore + "]";
    }
}
