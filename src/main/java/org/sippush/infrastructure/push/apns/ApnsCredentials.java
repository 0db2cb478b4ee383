package org.sippush.infrastructure.push.apns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the server proves to APNs that it may push to one app: token authentication (a {@code .p8}
 * signing key with its team id and key id) or certificate authentication (a {@code .p12} file and its
 * password). Equal credentials share one connection, so one {@code .p8} key serving several apps costs
 * one connection per environment.
 */
public sealed interface ApnsCredentials permits ApnsCredentials.SigningKey, ApnsCredentials.Certificate {

    /**
     * Token authentication: pushy signs a JWT with this key.
     *
     * @param p8File a PKCS#8 EC P-256 private key (PEM), as downloaded from Apple
     * @param teamId the Apple developer team id (the JWT's {@code iss})
     * @param keyId  the key's id (the JWT's {@code kid})
     */
    record SigningKey(Path p8File, String teamId, String keyId) implements ApnsCredentials {
        public SigningKey {
            Objects.requireNonNull(p8File, "the .p8 signing key file must not be null");
            requireText(teamId, "a .p8 signing key needs the team id");
            requireText(keyId, "a .p8 signing key needs the key id");
        }
    }

    /**
     * Certificate authentication: the TLS client identity Apple issued for the app.
     *
     * @param p12File  a PKCS#12 file holding exactly one private key and its certificate
     * @param password the file's password ({@code ""} if none)
     */
    record Certificate(Path p12File, String password) implements ApnsCredentials {
        public Certificate {
            Objects.requireNonNull(p12File, "the .p12 certificate file must not be null");
            password = password == null ? "" : password;
        }

        @Override
        public String toString() {
            return "Certificate[p12File=" + p12File + ", password=***]";
        }
    }

    /** Token authentication with a readable {@code .p8} key. */
    static ApnsCredentials signingKey(Path p8File, String teamId, String keyId) {
        requireReadable(p8File, ".p8 signing key");
        return new SigningKey(p8File, teamId, keyId);
    }

    /** Certificate authentication with a readable {@code .p12} file. */
    static ApnsCredentials certificate(Path p12File, String password) {
        requireReadable(p12File, ".p12 certificate");
        return new Certificate(p12File, password);
    }

    /**
     * The credentials an app's settings describe: exactly one of {@code p8File} (with {@code teamId} and
     * {@code keyId}) and {@code p12File} (with {@code password}) must be given; the others may be null.
     *
     * @throws IllegalArgumentException naming what is missing or in conflict
     */
    static ApnsCredentials of(Path p8File, String teamId, String keyId, Path p12File, String password) {
        if (p8File != null && p12File != null) {
            throw new IllegalArgumentException(
                    "an APNs app needs either a .p8 signing key or a .p12 certificate, not both");
        }
        if (p8File != null) {
            return signingKey(p8File, teamId, keyId);
        }
        if (p12File != null) {
            return certificate(p12File, password);
        }
        throw new IllegalArgumentException(
                "an APNs app needs either a .p8 signing key (with team id and key id) or a .p12 certificate");
    }

    private static void requireText(String value, String message) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void requireReadable(Path file, String what) {
        Objects.requireNonNull(file, "the " + what + " file must not be null");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("the APNs " + what + " file " + file + " is not a readable file");
        }
    }
}
