package org.sippush.domain.subscriber;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest algorithms this server offers (RFC 8760: SHA-256 preferred, MD5 for older phones),
 * each with the name it has on the wire and in the JDK.
 */
public enum DigestAlgorithm {
    SHA_256("SHA-256", "SHA-256"),
    MD5("MD5", "MD5");

    private final String wireName;
    private final String jdkName;

    DigestAlgorithm(String wireName, String jdkName) {
        this.wireName = wireName;
        this.jdkName = jdkName;
    }

    public String wireName() {
        return wireName;
    }

    /** The algorithm named by an {@code algorithm=} parameter; absent means MD5 (RFC 2617 §3.2.1). */
    public static Optional<DigestAlgorithm> fromWire(String name) {
        if (name == null) {
            return Optional.of(MD5);
        }
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.wireName.equals(upper)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** Lower-case hex of the digest of {@code text} (UTF-8). */
    public String hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(jdkName).digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " is missing from this JDK", e);
        }
    }

    /** HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2). */
    public String ha1(String username, String realm, String password) {
        return hex(username + ":" + realm + ":" + password);
    }
}
