package org.sippush.domain.subscriber;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An account that may register {@code sip:user@domain} and place calls from it. Its password is
 * never kept: only the two HA1 hashes for its realm (RFC 7616 §3.4.2), one per algorithm.
 *
 * @param user      the user part of the address-of-record (RFC 3261 {@code user}, unescaped)
 * @param domain    the domain, lower case
 * @param realm     the digest realm the hashes were made for
 * @param ha1Md5    H(user:realm:password) with MD5, hex
 * @param ha1Sha256 the same with SHA-256, hex
 * @param createdAt when it was created
 * @param updatedAt when its password last changed
 */
public record Subscriber(String user, String domain, String realm, String ha1Md5, String ha1Sha256,
                         Instant createdAt, Instant updatedAt) {

    /** Longest user part and domain stored (the columns' sizes). */
    public static final int MAX_USER = 64;
    public static final int MAX_DOMAIN = 190;
    public static final int MAX_PASSWORD = 256;
    /** Characters of a SIP user part that need no escaping (RFC 3261 §25.1 unreserved and user-unreserved). */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9\\-_.!~*'()&=+$,;?/]+");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9\\-.]*[a-z0-9])?");

    public Subscriber {
        user = checkUser(user);
        domain = checkDomain(domain);
        Objects.requireNonNull(realm, "realm must not be null");
        Objects.requireNonNull(ha1Md5, "MD5 HA1 must not be null");
        Objects.requireNonNull(ha1Sha256, "SHA-256 HA1 must not be null");
        Objects.requireNonNull(createdAt, "creation time must not be null");
        Objects.requireNonNull(updatedAt, "update time must not be null");
    }

    /** A subscriber with this password, hashed for {@code realm}; the password itself is not kept. */
    public static Subscriber withPassword(String user, String domain, String realm, String password, Instant createdAt,
                                          Instant now) {
        checkPassword(password);
        return new Subscriber(user, domain, realm, DigestAlgorithm.MD5.ha1(user, realm, password),
                DigestAlgorithm.SHA_256.ha1(user, realm, password), createdAt, now);
    }

    /** The address-of-record this subscriber owns, as the registrar keys it. */
    public String aor() {
        return aor(user, domain);
    }

    public static String aor(String user, String domain) {
        return "sip:" + user + "@" + domain.toLowerCase(Locale.ROOT);
    }

    public String ha1(DigestAlgorithm algorithm) {
        return algorithm == DigestAlgorithm.MD5 ? ha1Md5 : ha1Sha256;
    }

    public static String checkUser(String user) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        if (user.length() > MAX_USER) {
            throw new IllegalArgumentException("user is longer than " + MAX_USER + " characters");
        }
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user may hold only letters, digits and -_.!~*'()&=+$,;?/");
        }
        return user;
    }

    public static String checkDomain(String domain) {
        if (domain == null || domain.isEmpty()) {
            throw new IllegalArgumentException("domain must not be empty");
        }
        String lower = domain.toLowerCase(Locale.ROOT);
        if (lower.length() > MAX_DOMAIN) {
            throw new IllegalArgumentException("domain is longer than " + MAX_DOMAIN + " characters");
        }
        if (!DOMAIN.matcher(lower).matches()) {
            throw new IllegalArgumentException("domain must be a host name or IPv4 address");
        }
        return lower;
    }

    public static void checkPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty");
        }
        if (password.length() > MAX_PASSWORD) {
            throw new IllegalArgumentException("password is longer than " + MAX_PASSWORD + " characters");
        }
        if (password.chars().anyMatch(c -> c < 32 || c == 127)) {
            throw new IllegalArgumentException("password must not hold control characters");
        }
    }

    @Override
    public String toString() {
        return "Subscriber[" + aor() + ", realm " + realm + "]";  // never the hashes
    }
}
