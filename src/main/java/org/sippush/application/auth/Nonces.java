package org.sippush.application.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server nonces bound to time (RFC 7616 §3.3): {@code base64url(expiry, random, HMAC-SHA256(secret,
 * expiry|random|realm))}. Any node holding the same secret can check a nonce without shared state;
 * a nonce past its expiry is <em>stale</em>. Nonce counts (RFC 7616 §3.4) are remembered here
 * until the nonce expires, so a replayed request (the same or a lower {@code nc}) is refused.
 */
final class Nonces {

    enum State { VALID, STALE, INVALID }

    private static final int RANDOM = 8;
    private static final int MAC = 16;
    /** Nonces whose counts are tracked at most; beyond it the oldest are forgotten (and refused as stale). */
    static final int MAX_TRACKED = 1_000_000;

    private final SecretKeySpec key;
    private final Duration lifetime;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final AtomicInteger sinceSweep = new AtomicInteger();
    /** Nonces issued before this time and not tracked any more are refused (their counts were forgotten). */
    private volatile long forgottenBefore;

    private record Seen(long expiresAt, long nc) {
    }

    Nonces(byte[] secret, Duration lifetime, Clock clock) {
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.lifetime = lifetime;
        this.clock = clock;
    }

    static byte[] randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    String create(String realm) {
        long expiry = clock.millis() + lifetime.toMillis();
        byte[] nonce = new byte[8 + RANDOM];
        ByteBuffer.wrap(nonce).putLong(expiry);
        byte[] salt = new byte[RANDOM];
        random.nextBytes(salt);
        System.arraycopy(salt, 0, nonce, 8, RANDOM);
        byte[] mac = mac(nonce, realm);
        byte[] all = new byte[nonce.length + MAC];
        System.arraycopy(nonce, 0, all, 0, nonce.length);
        System.arraycopy(mac, 0, all, nonce.length, MAC);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    }

    State check(String nonce, String realm) {
        byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return State.INVALID;
        }
        if (all.length != 8 + RANDOM + MAC) {
            return State.INVALID;
        }
        byte[] body = java.util.Arrays.copyOf(all, 8 + RANDOM);
        byte[] given = java.util.Arrays.copyOfRange(all, 8 + RANDOM, all.length);
        byte[] expected = java.util.Arrays.copyOf(mac(body, realm), MAC);
        if (!MessageDigest.isEqual(given, expected)) {
            return State.INVALID;
        }
        long expiry = ByteBuffer.wrap(body).getLong();
        return clock.millis() < expiry ? State.VALID : State.STALE;
    }

    /**
     * Records a use of a valid nonce with nonce count {@code nc} (0 when the client sent no qop,
     * which allows one use). False when this count was already used (a replay).
     */
    boolean use(String nonce, long nc) {
        long now = clock.millis();
        sweepNow(now);
        long expiresAt = now + lifetime.toMillis();
        long issuedAt = ByteBuffer.wrap(Base64.getUrlDecoder().decode(nonce)).getLong() - lifetime.toMillis();
        boolean[] fresh = {false};
        seen.compute(nonce, (k, old) -> {
            if (old == null && issuedAt < forgottenBefore) {
                return null;
            }
            if (old == null || (nc > old.nc && nc > 0)) {
                fresh[0] = true;
                return new Seen(old == null ? expiresAt : old.expiresAt, nc);
            }
            return old;
        });
        return fresh[0];
    }

    int tracked() {
        return seen.size();
    }

    private void sweepNow(long now) {
        if (sinceSweep.incrementAndGet() < 10_000 && seen.size() < MAX_TRACKED) {
            return;
        }
        sinceSweep.set(0);
        for (Iterator<Seen> it = seen.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
            }
        }
        if (seen.size() >= MAX_TRACKED) {
            forgottenBefore = now;  // every nonce in use becomes stale: phones get a new challenge, nothing is replayable
            seen.clear();
        }
    }

    private byte[] mac(byte[] body, String realm) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(body);
            mac.update(realm.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
