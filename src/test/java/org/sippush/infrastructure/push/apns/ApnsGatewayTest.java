package org.sippush.infrastructure.push.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.eatthepath.json.JsonParser;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/** {@link ApnsGateway} against pushy's mock APNs server over TLS on loopback. */
class ApnsGatewayTest {

    private static final Duration PUSH_WAIT = Duration.ofSeconds(30);

    private static EventLoopGroup serverGroup;
    private static MockApns production;
    private static MockApns sandbox;
    private static MockApns certificateServer;

    private ApnsGateway gateway;

    @BeforeAll
    @SuppressWarnings("deprecation")
    static void startServers() throws Exception {
        serverGroup = new NioEventLoopGroup(2);
        production = MockApns.start(serverGroup);
        sandbox = MockApns.start(serverGroup);
        certificateServer = MockApns.startTrustingClientCertificates(serverGroup);
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (MockApns server : new MockApns[] {production, sandbox, certificateServer}) {
            if (server != null) {
                server.close();
            }
        }
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void resetServers() {
        production.reset();
        sandbox.reset();
        certificateServer.reset();
    }

    @AfterEach
    void closeGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** A gateway whose production host is {@code localhost:<production>} and sandbox {@code 127.0.0.1:<sandbox>}. */
    private ApnsGateway gateway(Map<String, ApnsCredentials> credentials) {
        return gateway(credentials, Clock.systemUTC());
    }

    private ApnsGateway gateway(Map<String, ApnsCredentials> credentials, Clock clock) {
        gateway = ApnsGateway.builder()
                .credentials(credentials)
                .productionHost("localhost:" + production.port())
                .sandboxHost(sandbox.hostAndPort())
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .clock(clock)
                .ioThreads(1)
                .build();
        return gateway;
    }

    static String newToken() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static PushMessage call(PushProvider provider, String appId, String token, String callId, Instant expiresAt) {
        PushSettings target = new PushSettings(provider, token, token, appId, null, true, true);
        return PushMessage.call(target, callId, "Alice", "sip:alice@example.test", "sip:bob@example.test",
                Instant.now(), expiresAt);
    }

    static PushMessage call(String token) {
        return call(PushProvider.APNS, MockApns.APP, token, "a84b4c76e66710@pc33.example.test",
                Instant.now().plus(PUSH_WAIT));
    }

    static PushOutcome outcome(CompletableFuture<PushOutcome> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void callPushWithTokenAuthenticationCarriesWhatAppleRequires() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        Instant expiresAt = Instant.now().plus(PUSH_WAIT).truncatedTo(ChronoUnit.MILLIS).plusMillis(789);
        String token = newToken();
        PushMessage message = call(PushProvider.APNS, MockApns.APP, token, "a84b4c76e66710@pc33.example.test", expiresAt);

        PushOutcome outcome = outcome(gateway.send(message));
        MockApns.Received push = production.next();

        PushOutcome.Accepted accepted = assertInstanceOf(PushOutcome.Accepted.class, outcome);
        assertEquals(message, accepted.message());
        assertNotNull(accepted.providerId());
        assertEquals("POST", push.header(":method"));
        assertEquals("/3/device/" + token, push.header(":path"));
        assertEquals("voip", push.header("apns-push-type"));
        assertEquals("com.example.phone.voip", push.header("apns-topic"));
        assertEquals("10", push.header("apns-priority"));
        long expiration = Long.parseLong(push.header("apns-expiration"));
        assertEquals(expiresAt.getEpochSecond(), expiration);
        assertFalse(Instant.ofEpochSecond(expiration).isAfter(expiresAt), "the push must not outlive the push wait");
        assertEquals("a84b4c76e66710@pc33.example.test", push.header("apns-collapse-id"));
        assertValidJwt(push.header("authorization"));

        Map<String, Object> payload = new JsonParser().parseJsonObject(push.payload());
        assertEquals(Map.of("type", "call", "push-id", message.pushId(), "call-id", message.callId(),
                "from-name", "Alice", "from-uri", "sip:alice@example.test", "to-uri", "sip:bob@example.test",
                "send-time", message.sentAt().toString()), payload);
    }

    /** {@code bearer <JWT>}: ES256 signed by the .p8 key, {@code kid} the key id, {@code iss} the team id. */
    private static void assertValidJwt(String authorization) throws Exception {
        assertNotNull(authorization, "token authentication sends an authorization header");
        assertTrue(authorization.startsWith("bearer "), authorization);
        String[] parts = authorization.substring("bearer ".length()).split("\\.");
        assertEquals(3, parts.length, "a JWT has three parts");
        Base64.Decoder base64 = Base64.getUrlDecoder();
        Map<String, Object> header = json(base64.decode(parts[0]));
        Map<String, Object> claims = json(base64.decode(parts[1]));
        assertEquals("ES256", header.get("alg"));
        assertEquals(MockApns.KEY_ID, header.get("kid"));
        assertEquals(MockApns.TEAM_ID, claims.get("iss"));
        assertNotNull(claims.get("iat"));

        String pem = Files.readString(MockApns.fixture("signing-key.pub.pem"))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        // pushy sends the ECDSA signature DER-encoded (not JWS's raw r||s), which APNs accepts
        Signature es256 = Signature.getInstance("SHA256withECDSA");
        es256.initVerify(key);
        es256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(es256.verify(base64.decode(parts[2])), "the JWT's signature verifies with the .p8 key's public key");
    }

    private static Map<String, Object> json(byte[] utf8) throws java.text.ParseException {
        return new JsonParser().parseJsonObject(new String(utf8, StandardCharsets.UTF_8));
    }

    @Test
    void missedCallNoticeIsAnAlertNamingTheCallerToTheAlertToken() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        String token = newToken();
        PushSettings target = new PushSettings(PushProvider.APNS, "voip-" + token, token, MockApns.APP, null, true, true);
        PushMessage call = PushMessage.call(target, "call-9@example.test", "Alice Caller", "sip:alice@example.test",
                "sip:bob@example.test", Instant.now(), Instant.now().plus(PUSH_WAIT));

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(PushMessage.missedCall(call, Instant.now()))));
        MockApns.Received push = production.next();

        assertEquals("/3/device/" + token, push.header(":path"), "to the alert token, not the VoIP one");
        assertEquals("alert", push.header("apns-push-type"));
        assertEquals("com.example.phone", push.header("apns-topic"), "the bundle id, not .voip");
        Map<String, Object> payload = new JsonParser().parseJsonObject(push.payload());
        @SuppressWarnings("unchecked")
        Map<String, Object> aps = (Map<String, Object>) payload.get("aps");
        assertEquals(Map.of("title", "Missed call", "body", "Alice Caller"), aps.get("alert"));
        assertEquals("missed-call", payload.get("type"));
        assertEquals("call-9@example.test", payload.get("call-id"));
    }

    @Test
    void messagePushIsAnAlertToTheBundleIdWithBadgeThreadAndPreview() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        String token = newToken();
        PushSettings target = new PushSettings(PushProvider.APNS, "voip-" + token, token, MockApns.APP, null, true, true);
        PushMessage message = PushMessage.message(target, "msg-1@example.test", "Alice", "sip:alice@example.test",
                "sip:bob@example.test", Instant.now(), Instant.now().plus(Duration.ofDays(7)),
                new org.sippush.domain.push.MessageAlert("Grüße \"aus\" Köln…", "text/plain", 3, "sip:alice@example.test",
                        false));

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(message)));
        MockApns.Received push = production.next();

        assertEquals("/3/device/" + token, push.header(":path"), "messages go to the message token");
        assertEquals("alert", push.header("apns-push-type"));
        assertEquals("com.example.phone", push.header("apns-topic"));
        assertEquals(null, push.header("apns-collapse-id"), "every message is its own notice");
        Map<String, Object> payload = new JsonParser().parseJsonObject(push.payload());
        @SuppressWarnings("unchecked")
        Map<String, Object> aps = (Map<String, Object>) payload.get("aps");
        assertEquals(Map.of("title", "Alice", "body", "Grüße \"aus\" Köln…"), aps.get("alert"));
        assertEquals(3L, ((Number) aps.get("badge")).longValue());
        assertEquals("sip:alice@example.test", aps.get("thread-id"));
        assertEquals(1L, ((Number) aps.get("mutable-content")).longValue());
        assertEquals("message", payload.get("type"));
        assertEquals("msg-1@example.test", payload.get("call-id"));
        assertEquals("sip:alice@example.test", payload.get("from-uri"));
        assertEquals("text/plain", payload.get("mime-type"));
    }

    @Test
    void messagePushWithoutPreviewSaysNewMessageFromTheSenderUri() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        String token = newToken();
        PushSettings target = new PushSettings(PushProvider.APNS, token, token, MockApns.APP, null, true, true);
        PushMessage message = PushMessage.message(target, "msg-2@example.test", "", "sip:alice@example.test",
                "sip:bob@example.test", Instant.now(), Instant.now().plus(Duration.ofDays(7)),
                new org.sippush.domain.push.MessageAlert("", "image/png", 1, "sip:alice@example.test", false));

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(message)));
        Map<String, Object> payload = new JsonParser().parseJsonObject(production.next().payload());
        @SuppressWarnings("unchecked")
        Map<String, Object> aps = (Map<String, Object>) payload.get("aps");
        assertEquals(Map.of("title", "sip:alice@example.test", "body", "New message"), aps.get("alert"));
    }

    /** Like APNs: a push on a connection without a client certificate (or JWT) is refused. */
    private static void requireClientCertificate(MockApns server) {
        server.answerWith(push -> {
            if (push.clientSubject() == null) {
                throw new RejectedNotificationException(RejectionReason.MISSING_PROVIDER_TOKEN);
            }
        });
    }

    @Test
    void certificateAuthenticationPresentsTheAppsCertificate() throws Exception {
        requireClientCertificate(certificateServer);
        gateway = ApnsGateway.builder()
                .app(MockApns.APP, MockApns.certificate())
                .productionHost(certificateServer.hostAndPort())
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .build();

        PushOutcome outcome = outcome(gateway.send(call(newToken())));
        MockApns.Received push = certificateServer.next();

        assertInstanceOf(PushOutcome.Accepted.class, outcome);
        assertNotNull(push.clientSubject(), "the server validated the client certificate against the test CA");
        assertTrue(push.clientSubject().contains("com.example.phone"), push.clientSubject());
        assertNull(push.header("authorization"), "certificate authentication sends no JWT");
        assertEquals("com.example.phone.voip", push.header("apns-topic"));
        assertEquals("voip", push.header("apns-push-type"));
    }

    @Test
    void aCertificateFromACaTheServerDoesNotAcceptIsNotPresented() throws Exception {
        // The server asks for certificates issued by its own certificate only: the client has none to offer
        // (TLS picks the client certificate by the issuers the server names), so APNs would refuse the push.
        try (MockApns picky = MockApns.startTrusting(serverGroup, "server.pem")) {
            requireClientCertificate(picky);
            gateway = ApnsGateway.builder()
                    .app(MockApns.APP, MockApns.certificate())
                    .productionHost(picky.hostAndPort())
                    .trustedServerCertificate(MockApns.fixture("ca.pem"))
                    .build();

            PushOutcome outcome = outcome(gateway.send(call(newToken())));

            assertNull(picky.next().clientSubject());
            PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class, outcome);
            assertEquals("APNs 403 MissingProviderToken", rejected.reason());
            assertFalse(rejected.tokenGone());
        }
    }

    @Test
    void sandboxBindingsGoToTheSandboxHostAndProductionBindingsToProduction() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        String sandboxToken = newToken();
        String productionToken = newToken();

        PushOutcome toSandbox = outcome(gateway.send(call(PushProvider.APNS_SANDBOX, MockApns.APP, sandboxToken,
                "call-sandbox", Instant.now().plus(PUSH_WAIT))));
        MockApns.Received atSandbox = sandbox.next();
        PushOutcome toProduction = outcome(gateway.send(call(PushProvider.APNS, MockApns.APP, productionToken,
                "call-production", Instant.now().plus(PUSH_WAIT))));
        MockApns.Received atProduction = production.next();

        assertInstanceOf(PushOutcome.Accepted.class, toSandbox);
        assertInstanceOf(PushOutcome.Accepted.class, toProduction);
        assertEquals("/3/device/" + sandboxToken, atSandbox.header(":path"));
        assertEquals("/3/device/" + productionToken, atProduction.header(":path"));
        assertTrue(atProduction.header(":authority").startsWith("localhost"), atProduction.header(":authority"));
        assertTrue(atSandbox.header(":authority").startsWith("127.0.0.1"), atSandbox.header(":authority"));
        assertNull(production.poll(), "the sandbox push did not go to production");
        assertNull(sandbox.poll(), "the production push did not go to the sandbox");
    }

    private static RejectedNotificationException reject(RejectionReason reason) {
        return new RejectedNotificationException(reason);
    }

    static Stream<Arguments> answers() {
        Instant gone = Instant.parse("2024-05-01T10:00:00Z");
        return Stream.of(
                Arguments.of(new UnregisteredDeviceTokenException(gone), "Rejected", true,
                        "APNs 410 Unregistered (token invalid since 2024-05-01T10:00:00Z)"),
                Arguments.of(reject(RejectionReason.BAD_DEVICE_TOKEN), "Rejected", true, "APNs 400 BadDeviceToken"),
                Arguments.of(reject(RejectionReason.DEVICE_TOKEN_NOT_FOR_TOPIC), "Rejected", true,
                        "APNs 400 DeviceTokenNotForTopic"),
                Arguments.of(reject(RejectionReason.BAD_TOPIC), "Rejected", false, "APNs 400 BadTopic"),
                Arguments.of(reject(RejectionReason.TOPIC_DISALLOWED), "Rejected", false, "APNs 400 TopicDisallowed"),
                Arguments.of(reject(RejectionReason.INVALID_PROVIDER_TOKEN), "Rejected", false,
                        "APNs 403 InvalidProviderToken"),
                Arguments.of(reject(RejectionReason.PAYLOAD_TOO_LARGE), "Rejected", false, "APNs 413 PayloadTooLarge"),
                Arguments.of(reject(RejectionReason.TOO_MANY_REQUESTS), "Failed", false, "APNs 429 TooManyRequests"),
                Arguments.of(reject(RejectionReason.INTERNAL_SERVER_ERROR), "Failed", false,
                        "APNs 500 InternalServerError"),
                Arguments.of(reject(RejectionReason.SERVICE_UNAVAILABLE), "Failed", false, "APNs 503 ServiceUnavailable"),
                Arguments.of(reject(RejectionReason.SHUTDOWN), "Failed", false, "APNs 503 Shutdown"));
    }

    @ParameterizedTest(name = "{3} -> {1}, token gone: {2}")
    @MethodSource("answers")
    void apnsAnswersBecomeTheThreeOutcomes(RejectedNotificationException answer, String kind, boolean tokenGone,
                                           String reason) throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        production.answerWith(push -> {
            throw answer;
        });

        PushOutcome outcome = outcome(gateway.send(call(newToken())));

        assertEquals(kind, outcome.getClass().getSimpleName(), outcome.toString());
        if (outcome instanceof PushOutcome.Rejected rejected) {
            assertEquals(tokenGone, rejected.tokenGone());
            assertEquals(reason, rejected.reason());
        } else {
            PushOutcome.Failed failed = (PushOutcome.Failed) outcome;
            assertEquals(reason, failed.reason());
            assertEquals(-1, failed.retryAfterMillis());
        }
    }

    @Test
    void pushesShareOneClientPerCredentialsAndEnvironment() throws Exception {
        ApnsCredentials key = MockApns.signingKey();
        gateway(Map.of(MockApns.APP, key, "com.example.other", key));
        int connectionsBefore = production.connections();

        List<CompletableFuture<PushOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String app = i % 2 == 0 ? MockApns.APP : "com.example.other";
            futures.add(gateway.send(call(PushProvider.APNS, app, newToken(), "call-" + i, Instant.now().plus(PUSH_WAIT))));
        }
        for (CompletableFuture<PushOutcome> future : futures) {
            assertInstanceOf(PushOutcome.Accepted.class, outcome(future));
        }
        Set<Integer> connections = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            connections.add(production.next().connection());
        }

        assertEquals(1, connections.size(), "all 50 pushes of both apps came over one TLS connection");
        assertEquals(connectionsBefore + 1, production.connections());
        assertEquals(1, gateway.clientCount());

        outcome(gateway.send(call(PushProvider.APNS_SANDBOX, MockApns.APP, newToken(), "call-s",
                Instant.now().plus(PUSH_WAIT))));
        assertEquals(2, gateway.clientCount(), "the sandbox has a client of its own");
    }

    @Test
    void anAppWithoutCredentialsIsRejectedWithoutSending() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));

        PushOutcome outcome = outcome(gateway.send(call(PushProvider.APNS, "com.example.unknown", newToken(), "c1",
                Instant.now().plus(PUSH_WAIT))));

        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class, outcome);
        assertEquals("no APNs credentials for app com.example.unknown", rejected.reason());
        assertFalse(rejected.tokenGone());
        assertFalse(gateway.serves("com.example.unknown"));
        assertTrue(gateway.serves(MockApns.APP));
        assertEquals(0, gateway.clientCount());
    }

    @Test
    void unusableCredentialsAreRejected() throws Exception {
        ApnsCredentials notAKey = new ApnsCredentials.SigningKey(MockApns.fixture("ca.pem"), MockApns.TEAM_ID, MockApns.KEY_ID);
        gateway(Map.of(MockApns.APP, notAKey));

        PushOutcome outcome = outcome(gateway.send(call(newToken())));

        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class, outcome);
        assertTrue(rejected.reason().startsWith("APNs credentials for app com.example.phone unusable: "), rejected.reason());
        assertFalse(rejected.tokenGone());
    }

    @Test
    void aCallIdLongerThan64BytesIsCollapsedByItsSha256() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        String callId = "x".repeat(40) + "-é-" + "y".repeat(30) + "@example.test";

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call(PushProvider.APNS, MockApns.APP,
                newToken(), callId, Instant.now().plus(PUSH_WAIT)))));
        String collapseId = production.next().header("apns-collapse-id");

        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        String expected = java.util.HexFormat.of().formatHex(sha256.digest(callId.getBytes(StandardCharsets.UTF_8)));
        assertEquals(64, collapseId.length());
        assertEquals(expected.substring(0, 64), collapseId);
        assertEquals("short@example.test", ApnsNotifications.collapseId("short@example.test"));
        String exactly64 = "z".repeat(64);
        assertEquals(exactly64, ApnsNotifications.collapseId(exactly64));
    }

    @Test
    void anUnreachableServerIsAFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        gateway = ApnsGateway.builder()
                .app(MockApns.APP, MockApns.signingKey())
                .productionHost("127.0.0.1:" + closedPort)
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .build();

        PushOutcome outcome = outcome(gateway.send(call(newToken())));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome);
        assertTrue(failed.reason().startsWith("APNs not reached: "), failed.reason());
        assertTrue(failed.reason().contains("Connect") || failed.reason().contains("onnection"), failed.reason());
    }

    @Test
    void aPushPastItsExpiryIsNotSent() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(5);
        gateway(Map.of(MockApns.APP, MockApns.signingKey()), Clock.fixed(expiresAt.plusMillis(1), ZoneOffset.UTC));

        PushOutcome outcome = outcome(gateway.send(call(PushProvider.APNS, MockApns.APP, newToken(), "late", expiresAt)));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome);
        assertEquals("push expired before it was sent", failed.reason());
        assertEquals(0, gateway.clientCount());
    }

    @Test
    void sendReturnsBeforeApnsAnswers() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        // connected first: on a loaded machine the TLS handshake alone can take longer than 300 ms
        PushOutcome connected;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            connected = outcome(gateway.send(call(newToken())));
        } while (!(connected instanceof PushOutcome.Accepted) && System.nanoTime() < deadline);
        assertInstanceOf(PushOutcome.Accepted.class, connected);
        CountDownLatch answer = new CountDownLatch(1);
        production.answerWith(push -> {
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        CompletableFuture<PushOutcome> pending = gateway.send(call(newToken()));
        production.next();
        production.next();

        assertFalse(pending.isDone(), "the server holds its answer: the push is still in flight");
        answer.countDown();
        assertInstanceOf(PushOutcome.Accepted.class, outcome(pending));
    }

    @Test
    void noAnswerInTimeIsAFailure() throws Exception {
        gateway = ApnsGateway.builder()
                .app(MockApns.APP, MockApns.signingKey())
                .productionHost(production.hostAndPort())
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .responseTimeout(Duration.ofMillis(300))
                .build();
        // connected first: on a loaded machine the TLS handshake alone can take longer than 300 ms
        PushOutcome connected;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            connected = outcome(gateway.send(call(newToken())));
        } while (!(connected instanceof PushOutcome.Accepted) && System.nanoTime() < deadline);
        assertInstanceOf(PushOutcome.Accepted.class, connected);
        CountDownLatch answer = new CountDownLatch(1);
        production.answerWith(push -> {
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        try {
            PushOutcome outcome = outcome(gateway.send(call(newToken())));

            PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome);
            assertEquals("APNs not reached: TimeoutException: no answer from APNs within 300 ms", failed.reason());
        } finally {
            answer.countDown();
        }
    }

    @Test
    void closeIsQuickAndLaterPushesFail() throws Exception {
        gateway(Map.of(MockApns.APP, MockApns.signingKey()));
        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call(newToken()))));

        long start = System.nanoTime();
        gateway.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(millis < 1500, "close took " + millis + " ms");
        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome(gateway.send(call(newToken()))));
        assertEquals("APNs gateway closed", failed.reason());
    }
}
