package org.sippush.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for SIP over TLS, made at test time with the {@code openssl} and {@code keytool}
 * command lines, the keystores made with the very commands the README shows:
 * {@code openssl pkcs12 -export -in ... -inkey ... -certfile ...} for the server's keystore and
 * {@code keytool -importcert ... -storetype PKCS12} for a truststore.
 * <p>
 * A test CA signs the server's certificate (for {@code localhost} and {@code 127.0.0.1}) and the
 * phones' one; a "stranger" certificate is self-signed. {@link #truststore()} holds only the CA: the
 * phones trust the server with it, and the server, given it as {@code sip.tls.truststore}, trusts
 * the phones but not the stranger. Everything is valid for two days; every store's password is
 * {@link #PASSWORD}.
 *
 * @param directory   where the files are
 * @param ca          the CA certificate (PEM)
 * @param certificate the server certificate (PEM)
 * @param keystore    the server's keystore (PKCS12: key, certificate, CA)
 * @param phone       a phone's keystore (PKCS12: key, certificate signed by the CA, CA)
 * @param stranger    a keystore with a self-signed certificate nobody trusts
 * @param truststore  a truststore (PKCS12) holding the CA
 */
public record TestCertificates(Path directory, Path ca, Path certificate, Path keystore, Path phone, Path stranger,
                               Path truststore) {

    public static final String PASSWORD = "sip-tls-test";

    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    /** Makes a new CA, the certificates, keystores and the truststore in {@code directory}. */
    public static TestCertificates create(Path directory) {
        try {
            Files.createDirectories(directory);
            Path ca = directory.resolve("ca.pem");
            Path caKey = directory.resolve("ca.key");
            run(directory, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2",
                    "-subj", "/CN=sip-push-server test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            Path certificate = signed(directory, "server", "/O=sip-push-server test/CN=localhost", ca, caKey);
            Path phoneCertificate = signed(directory, "phone", "/O=sip-push-server test/CN=phone", ca, caKey);
            Path strangerKey = directory.resolve("stranger.key");
            Path strangerCertificate = directory.resolve("stranger.pem");
            run(directory, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", strangerKey.toString(), "-out", strangerCertificate.toString(), "-days", "2",
                    "-subj", "/CN=stranger", "-addext", "subjectAltName=IP:127.0.0.1");

            Path keystore = pkcs12(directory, "sip-tls.p12", certificate, directory.resolve("server.key"), ca);
            Path phone = pkcs12(directory, "phone.p12", phoneCertificate, directory.resolve("phone.key"), ca);
            Path stranger = pkcs12(directory, "stranger.p12", strangerCertificate, strangerKey, null);
            Path truststore = directory.resolve("truststore.p12");
            // the README's command
            run(directory, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-importcert", "-noprompt", "-alias", "phones-ca", "-file", ca.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            return new TestCertificates(directory, ca, certificate, keystore, phone, stranger, truststore);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make test certificates in " + directory, e);
        }
    }

    /** The server certificate, parsed. */
    public X509Certificate serverCertificate() {
        try (InputStream in = Files.newInputStream(certificate)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read certificate " + certificate, e);
        }
    }

    /** A key and a certificate for {@code subject} (SAN localhost, 127.0.0.1) signed by the CA: {@code <name>.pem}. */
    private static Path signed(Path directory, String name, String subject, Path ca, Path caKey) throws IOException {
        Path key = directory.resolve(name + ".key");
        Path csr = directory.resolve(name + ".csr");
        Path extensions = directory.resolve(name + ".ext");
        Path certificate = directory.resolve(name + ".pem");
        run(directory, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", subject);
        Files.writeString(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n", StandardCharsets.US_ASCII);
        run(directory, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extensions.toString(), "-out", certificate.toString());
        return certificate;
    }

    /** The README's command: {@code openssl pkcs12 -export -in <cert> -inkey <key> [-certfile <chain>] ...}. */
    private static Path pkcs12(Path directory, String file, Path certificate, Path key, Path chain) throws IOException {
        Path keystore = directory.resolve(file);
        List<String> command = new ArrayList<>(List.of("openssl", "pkcs12", "-export",
                "-in", certificate.toString(), "-inkey", key.toString()));
        if (chain != null) {
            command.addAll(List.of("-certfile", chain.toString()));
        }
        command.addAll(List.of("-name", "sip-push-server", "-passout", "pass:" + PASSWORD, "-out", keystore.toString()));
        run(directory, command.toArray(String[]::new));
        return keystore;
    }

    private static void run(Path directory, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + ")\n" + output);
        }
    }
}
