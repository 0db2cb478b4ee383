package org.sippush.application.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sippush.domain.subscriber.Subscriber;
import org.sippush.domain.subscriber.SubscriberRepository;
import org.sippush.testsupport.DigestAnswer;

/**
 * The authenticator over a table of what phones send: answers computed by the test's own digest
 * client (written from RFC 7616), a clock the test moves.
 */
class DigestAuthenticatorTest {

    static final String DOMAIN = "example.test";
    static final String URI = "sip:example.test";

    /** Subscribers in a map: the store is not what is tested here. */
    static final class InMemorySubscribers implements SubscriberRepository {
        final Map<String, Subscriber> byAor = new ConcurrentHashMap<>();

        public Optional<Subscriber> find(String user, String domain) {
            return Optional.ofNullable(byAor.get(Subscriber.aor(user, domain)));
        }

        public boolean save(Subscriber s) {
            return byAor.put(s.aor(), s) == null;
        }

        public boolean delete(String user, String domain) {
            return byAor.remove(Subscriber.aor(user, domain)) != null;
        }

        public List<Subscriber> list(String domain) {
            return byAor.values().stream().filter(s -> s.domain().equals(domain)).toList();
        }
    }

    final MutableClock clock = new MutableClock();
    Subscribers subscribers;
    DigestAuthenticator digest;

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-03T08:00:00Z");

        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() {
        subscribers = new Subscribers(new InMemorySubscribers(), null, DOMAIN::equals, clock);
        subscribers.put("alice", DOMAIN, "s3cret");
        digest = new DigestAuthenticator(subscribers, "shared".getBytes(), Duration.ofSeconds(300), clock);
    }

    String offer(String algorithm) {
        return digest.challenge(DOMAIN, false).stream().filter(h -> h.contains("algorithm=" + algorithm)).findFirst().orElseThrow();
    }

    DigestAuthenticator.Result check(String credentials) {
        return digest.authenticate("REGISTER", List.of(credentials), DOMAIN);
    }

    @Test
    void theChallengeOffersSha256ThenMd5WithOneNonce() {
        List<String> offers = digest.challenge(DOMAIN, true);
        assertEquals(2, offers.size());
        assertEquals("SHA-256", DigestAnswer.params(offers.get(0)).get("algorithm"));
        assertEquals("MD5", DigestAnswer.params(offers.get(1)).get("algorithm"));
        assertEquals(DigestAnswer.params(offers.get(0)).get("nonce"), DigestAnswer.params(offers.get(1)).get("nonce"));
        assertTrue(offers.stream().allMatch(o -> o.contains("stale=true") && o.contains("qop=\"auth\"")));
    }

    @Test
    void theRightPasswordAuthenticatesWithEitherAlgorithm() {
        for (String algorithm : List.of("SHA-256", "MD5")) {
            var result = check(DigestAnswer.answer(offer(algorithm), "REGISTER", URI, "alice", "s3cret", 1));
            assertEquals("sip:alice@example.test",
                    assertInstanceOf(DigestAuthenticator.Authenticated.class, result).subscriber().aor());
        }
    }

    @Test
    void wrongPasswordUnknownUserAndNoCredentialsAreChallengedNotStale() {
        for (var result : List.of(
                check(DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "alice", "guess", 1)),
                check(DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "mallory", "s3cret", 1)),
                digest.authenticate("REGISTER", List.of(), DOMAIN))) {
            assertEquals(false, assertInstanceOf(DigestAuthenticator.Challenge.class, result).stale(), result.toString());
        }
    }

    @Test
    void aNonceCountUsedTwiceIsAReplayAndAHigherOneIsNot() {
        String offer = offer("SHA-256");
        String first = DigestAnswer.answer(offer, "REGISTER", URI, "alice", "s3cret", 1);
        assertInstanceOf(DigestAuthenticator.Authenticated.class, check(first));
        var replay = assertInstanceOf(DigestAuthenticator.Challenge.class, check(first));
        assertTrue(replay.stale() && replay.why().contains("replay"), replay.why());
        assertInstanceOf(DigestAuthenticator.Authenticated.class,
                check(DigestAnswer.answer(offer, "REGISTER", URI, "alice", "s3cret", 2)));
    }

    @Test
    void anExpiredNonceIsStale() {
        String offer = offer("MD5");
        clock.now = clock.now.plusSeconds(301);
        var result = assertInstanceOf(DigestAuthenticator.Challenge.class,
                check(DigestAnswer.answer(offer, "REGISTER", URI, "alice", "s3cret", 1)));
        assertTrue(result.stale());
    }

    @Test
    void aNonceFromAnotherSecretOrRealmIsNotOurs() {
        DigestAuthenticator other = new DigestAuthenticator(subscribers, "other".getBytes(), Duration.ofSeconds(300), clock);
        String foreign = other.challenge(DOMAIN, false).get(0);
        var result = assertInstanceOf(DigestAuthenticator.Challenge.class,
                check(DigestAnswer.answer(foreign, "REGISTER", URI, "alice", "s3cret", 1)));
        assertEquals(false, result.stale());
    }

    @Test
    void nodesSharingTheSecretAcceptEachOthersNonces() {
        DigestAuthenticator node2 = new DigestAuthenticator(subscribers, "shared".getBytes(), Duration.ofSeconds(300), clock);
        String offer = node2.challenge(DOMAIN, false).get(0);
        assertInstanceOf(DigestAuthenticator.Authenticated.class,
                check(DigestAnswer.answer(offer, "REGISTER", URI, "alice", "s3cret", 1)));
    }

    @Test
    void credentialsThatCannotBeReadAreMalformed() {
        assertInstanceOf(DigestAuthenticator.Malformed.class, check("Digest username=\"alice"));
        assertInstanceOf(DigestAuthenticator.Malformed.class, check("Digest username=\"alice\", realm=\"example.test\""));
        String noNc = DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "alice", "s3cret", 1).replaceAll(", nc=\\w+", "");
        assertInstanceOf(DigestAuthenticator.Malformed.class, check(noNc));
    }

    @Test
    void anAlgorithmNotOfferedIsChallenged() {
        String sess = DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "alice", "s3cret", 1).replace("algorithm=MD5", "algorithm=MD5-sess");
        assertInstanceOf(DigestAuthenticator.Challenge.class, check(sess));
    }

    @Test
    void theOfferFollowsTheConfiguredOrderAndOnlyOfferedAlgorithmsAuthenticate() {
        DigestAuthenticator md5First = new DigestAuthenticator(subscribers, "shared".getBytes(), Duration.ofSeconds(300),
                clock, DigestAuthenticator.algorithms(List.of("MD5", "SHA-256")));
        List<String> offers = md5First.challenge(DOMAIN, false);
        assertEquals(List.of("MD5", "SHA-256"), offers.stream().map(o -> DigestAnswer.params(o).get("algorithm")).toList());

        DigestAuthenticator md5Only = new DigestAuthenticator(subscribers, "shared".getBytes(), Duration.ofSeconds(300),
                clock, DigestAuthenticator.algorithms(List.of("md5")));
        List<String> only = md5Only.challenge(DOMAIN, false);
        assertEquals(1, only.size());
        assertInstanceOf(DigestAuthenticator.Authenticated.class, md5Only.authenticate("REGISTER",
                List.of(DigestAnswer.answer(only.get(0), "REGISTER", URI, "alice", "s3cret", 1)), DOMAIN));
        String sha = DigestAnswer.answer(only.get(0).replace("algorithm=MD5", "algorithm=SHA-256"), "REGISTER", URI,
                "alice", "s3cret", 2);
        var refused = assertInstanceOf(DigestAuthenticator.Challenge.class,
                md5Only.authenticate("REGISTER", List.of(sha), DOMAIN));
        assertTrue(refused.why().contains("not offered"), refused.why());
    }

    @Test
    void theAlgorithmsSettingRejectsUnknownRepeatedOrNoNames() {
        for (List<String> bad : List.of(List.of("SHA-1"), List.of("MD5", "md5"), List.<String>of(), List.of("MD5-sess"))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> DigestAuthenticator.algorithms(bad), bad.toString());
        }
        assertEquals(DigestAuthenticator.DEFAULT_ALGORITHMS, DigestAuthenticator.algorithms(List.of("SHA-256", "MD5")));
    }

    @Test
    void aPasswordChangeTakesEffectAtOnce() {
        subscribers.put("alice", DOMAIN, "n3w");
        assertInstanceOf(DigestAuthenticator.Challenge.class,
                check(DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "alice", "s3cret", 1)));
        assertInstanceOf(DigestAuthenticator.Authenticated.class,
                check(DigestAnswer.answer(offer("MD5"), "REGISTER", URI, "alice", "n3w", 1)));
    }
}
