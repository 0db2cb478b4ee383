package org.sippush.application.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.sippush.domain.subscriber.DigestAlgorithm;
import org.sippush.domain.subscriber.Subscriber;

/**
 * Digest authentication of SIP requests (RFC 3261 §22.4, RFC 7616, RFC 8760): challenges offering
 * the configured algorithms in order of preference (by default SHA-256 then MD5) with
 * {@code qop="auth"}, and the check of the answer against the subscriber's HA1 for the realm. Nonces are bound to time; a stale or replayed one is challenged again with
 * {@code stale=true} so that the phone retries without asking its user for the password.
 */
public final class DigestAuthenticator {

    /** What the server offers unless told otherwise: SHA-256, then MD5 for older phones (RFC 8760 §2.4). */
    public static final List<DigestAlgorithm> DEFAULT_ALGORITHMS = List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);

    private final Subscribers subscribers;
    private final Nonces nonces;
    private final List<DigestAlgorithm> algorithms;

    public DigestAuthenticator(Subscribers subscribers, byte[] nonceSecret, Duration nonceLifetime, Clock clock) {
        this(subscribers, nonceSecret, nonceLifetime, clock, DEFAULT_ALGORITHMS);
    }

    /**
     * @param algorithms the algorithms offered, most preferred first (one challenge header each, in
     *                   this order); credentials made with any other algorithm are challenged again
     */
    public DigestAuthenticator(Subscribers subscribers, byte[] nonceSecret, Duration nonceLifetime, Clock clock,
                               List<DigestAlgorithm> algorithms) {
        this.subscribers = Objects.requireNonNull(subscribers, "subscribers must not be null");
        this.nonces = new Nonces(nonceSecret == null ? Nonces.randomSecret() : nonceSecret, nonceLifetime, clock);
        if (algorithms == null || algorithms.isEmpty() || algorithms.stream().distinct().count() != algorithms.size()) {
            throw new IllegalArgumentException("offer at least one digest algorithm, each once: " + algorithms);
        }
        this.algorithms = List.copyOf(algorithms);
    }

    /**
     * The algorithms of the {@code auth.algorithms} setting: wire names (SHA-256, MD5), comma
     * separated, most preferred first.
     *
     * @throws IllegalArgumentException for an unknown or repeated name, or none
     */
    public static List<DigestAlgorithm> algorithms(List<String> names) {
        List<DigestAlgorithm> parsed = new ArrayList<>();
        for (String name : names) {
            DigestAlgorithm algorithm = DigestAlgorithm.fromWire(name)
                    .orElseThrow(() -> new IllegalArgumentException("unknown digest algorithm '" + name + "' (known: SHA-256, MD5)"));
            if (parsed.contains(algorithm)) {
                throw new IllegalArgumentException(algorithm.wireName() + " is listed twice");
            }
            parsed.add(algorithm);
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("name at least one digest algorithm (SHA-256, MD5)");
        }
        return List.copyOf(parsed);
    }

    /** The algorithms offered, most preferred first. */
    public List<DigestAlgorithm> algorithms() {
        return algorithms;
    }

    /** What the request's credentials are worth. */
    public sealed interface Result {
    }

    /** The credentials are right: the request comes from this subscriber. */
    public record Authenticated(Subscriber subscriber) implements Result {
    }

    /** No usable credentials for our realm (none, wrong password, unknown user): challenge. */
    public record Challenge(boolean stale, String why) implements Result {
    }

    /** Credentials that cannot be read: answer 400 with this reason. */
    public record Malformed(String reason) implements Result {
    }

    /**
     * Checks the credentials a request carries.
     *
     * @param method        the request's method
     * @param credentials   the values of its Authorization (or Proxy-Authorization) headers
     * @param domain        the domain of the address-of-record the request acts for
     */
    public Result authenticate(String method, List<String> credentials, String domain) {
        String realm = subscribers.realmFor(domain);
        DigestCredentials mine = null;
        for (String value : credentials) {
            DigestCredentials parsed;
            try {
                parsed = DigestCredentials.parse(value);
            } catch (IllegalArgumentException e) {
                return new Malformed("Malformed credentials: " + e.getMessage());
            }
            if (realm.equals(parsed.get("realm"))) {
                mine = parsed;
                break;
            }
        }
        if (mine == null) {
            return new Challenge(false, "no credentials for realm " + realm);
        }
        for (String required : List.of("username", "nonce", "uri", "response")) {
            if (mine.get(required) == null) {
                return new Malformed("Malformed credentials: no " + required);
            }
        }
        Optional<DigestAlgorithm> algorithm = DigestAlgorithm.fromWire(mine.get("algorithm"));
        if (algorithm.isEmpty() || !algorithms.contains(algorithm.get())) {
            return new Challenge(false, "algorithm " + mine.get("algorithm") + " not offered");
        }
        String qop = mine.get("qop");
        long nc = 0;
        if (qop != null) {
            if (!qop.equalsIgnoreCase("auth")) {
                return new Challenge(false, "qop " + qop + " not offered");
            }
            if (mine.get("cnonce") == null || mine.get("nc") == null) {
                return new Malformed("Malformed credentials: qop=auth needs cnonce and nc");
            }
            try {
                nc = Long.parseUnsignedLong(mine.get("nc"), 16);
            } catch (NumberFormatException e) {
                return new Malformed("Malformed credentials: nc must be 8 hex digits");
            }
            if (mine.get("nc").length() != 8 || nc == 0) {
                return new Malformed("Malformed credentials: nc must be 8 hex digits, not zero");
            }
        }
        String nonce = mine.get("nonce");
        switch (nonces.check(nonce, realm)) {
            case INVALID:
                return new Challenge(false, "nonce not issued here");
            case STALE:
                return new Challenge(true, "nonce expired");
            default:
                break;
        }
        Optional<Subscriber> subscriber = subscribers.find(mine.get("username"), domain);
        if (subscriber.isEmpty() || !subscriber.get().realm().equals(realm)) {
            return new Challenge(false, "no subscriber " + mine.get("username") + " in realm " + realm);
        }
        DigestAlgorithm h = algorithm.get();
        String ha2 = h.hex(method + ":" + mine.get("uri"));
        String ha1 = subscriber.get().ha1(h);
        String expected = qop == null
                ? h.hex(ha1 + ":" + nonce + ":" + ha2)
                : h.hex(ha1 + ":" + nonce + ":" + mine.get("nc") + ":" + mine.get("cnonce") + ":auth:" + ha2);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                mine.get("response").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return new Challenge(false, "wrong password for " + mine.get("username"));
        }
        if (!nonces.use(nonce, nc)) {
            return new Challenge(true, "nonce count " + mine.get("nc") + " already used (replay)");
        }
        return new Authenticated(subscriber.get());
    }

    /**
     * The challenge header values (WWW-Authenticate or Proxy-Authenticate) for a domain: one per
     * algorithm offered, the preferred first (RFC 8760 §2.4; by default SHA-256, then MD5), with one
     * fresh nonce.
     */
    public List<String> challenge(String domain, boolean stale) {
        String realm = subscribers.realmFor(domain);
        String nonce = nonces.create(realm);
        List<String> headers = new ArrayList<>();
        for (DigestAlgorithm algorithm : algorithms) {
            headers.add("Digest realm=\"" + realm.replace("\"", "") + "\", nonce=\"" + nonce + "\", algorithm="
                    + algorithm.wireName() + ", qop=\"auth\"" + (stale ? ", stale=true" : ""));
        }
        return headers;
    }

    /** Nonces whose counts are remembered now (for the status page). */
    public int trackedNonces() {
        return nonces.tracked();
    }
}
