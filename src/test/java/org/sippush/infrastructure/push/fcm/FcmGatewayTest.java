package org.sippush.infrastructure.push.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.sippush.infrastructure.push.fcm.LoopbackFcm.Answer;
import org.sippush.infrastructure.push.fcm.LoopbackFcm.Received;

/** The FCM gateway against a loopback Google (token endpoint and FCM HTTP v1), through firebase-admin's own HTTP stack. */
class FcmGatewayTest {

    static final String PROJECT = "sippush-test";
    static final String PACKAGE = "com.example.phone";
    static final String CALL_TOKEN = "cK9dQ2x-Wm0:APA91bHcall-token-of-the-phone";
    static final String MESSAGE_TOKEN = "fM3tR8y-Pq1:APA91bHmessage-token-of-the-phone";

    @TempDir
    Path dir;

    LoopbackFcm google;
    TestServiceAccount account;
    FcmGateway gateway;

    @BeforeEach
    void start() {
        account = TestServiceAccount.create(dir, PROJECT);
        google = new LoopbackFcm().trust(account);
        gateway = FcmGateway.builder()
                .project(FcmProject.of(PROJECT, account.file(), PACKAGE))
                .endpoint(google.base())
                .build();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        google.close();
    }

    static PushMessage call(String appId, Duration wait) {
        PushSettings phone = new PushSettings(PushProvider.FCM, CALL_TOKEN, MESSAGE_TOKEN, appId, null, true, true);
        Instant now = Instant.now();
        return PushMessage.call(phone, "a84b4c76e66710@pc33.example.test", "Alice \"A\" Smith", "sip:alice@example.test",
                "sip:bob@example.test", now, now.plus(wait));
    }

    static PushOutcome outcome(CompletableFuture<PushOutcome> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    static Map<String, String> strings(JsonObject object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.entrySet().forEach(e -> map.put(e.getKey(), e.getValue().getAsString()));
        return map;
    }

    @Test
    void callPushIsDataOnlyHighPriorityWithTheTimeLeftAsTtl() throws Exception {
        PushMessage push = call(PACKAGE, Duration.ofSeconds(30));

        PushOutcome outcome = outcome(gateway.send(push));

        PushOutcome.Accepted accepted = assertInstanceOf(PushOutcome.Accepted.class, outcome);
        assertEquals("projects/" + PROJECT + "/messages/1", accepted.providerId());
        Received received = google.nextSend();
        assertEquals("/v1/projects/" + PROJECT + "/messages:send", received.path());
        assertEquals("Bearer test", received.authorization());
        assertEquals(Set.of("message"), received.body().keySet());
        JsonObject message = received.message();
        assertEquals(Set.of("data", "android", "token"), message.keySet(), "data-only: no notification, apns or webpush block");
        assertEquals(CALL_TOKEN, message.get("token").getAsString());

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("type", "call");
        expected.put("push-id", push.pushId());
        expected.put("call-id", "a84b4c76e66710@pc33.example.test");
        expected.put("from-name", "Alice \"A\" Smith");
        expected.put("from-uri", "sip:alice@example.test");
        expected.put("to-uri", "sip:bob@example.test");
        expected.put("send-time", push.sentAt().toString());
        expected.put("x-push-id", push.pushId());
        expected.put("msg_type", "call");
        assertEquals(expected, strings(message.getAsJsonObject("data")));

        JsonObject android = message.getAsJsonObject("android");
        assertEquals(Set.of("priority", "ttl", "collapse_key"), android.keySet());
        assertEquals("high", android.get("priority").getAsString());
        assertEquals(push.callId(), android.get("collapse_key").getAsString());
        String ttl = android.get("ttl").getAsString();
        assertTrue(ttl.matches("\\d+s"), ttl);
        long seconds = Long.parseLong(ttl.substring(0, ttl.length() - 1));
        assertTrue(seconds >= 28 && seconds <= 30, ttl);

        LoopbackFcm.TokenRequest token = google.nextTokenRequest();
        assertEquals(account.clientEmail(), token.clientEmail());
        assertEquals(TestServiceAccount.TOKEN_URI, token.audience());
        assertTrue(token.scope().contains("https://www.googleapis.com/auth/"), token.scope());
        assertEquals(List.of(), google.unexpected());
    }

    @Test
    void theDataIsTheCommonPayloadPlusPortSipKeys() throws Exception {
        PushMessage push = call(PACKAGE, Duration.ofSeconds(30));

        outcome(gateway.send(push));

        Map<String, String> data = strings(google.nextSend().message().getAsJsonObject("data"));
        Map<String, String> payload = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> field : JsonParser.parseString(push.payloadJson()).getAsJsonObject().entrySet()) {
            payload.put(field.getKey(), field.getValue().getAsString());
        }
        payload.put("x-push-id", push.pushId());
        payload.put("msg_type", "call");
        assertEquals(payload, data);
    }

    @Test
    void messagePushGoesToTheMessageTokenWithPortSipKeysAndBadge() throws Exception {
        PushMessage call = call(PACKAGE, Duration.ofSeconds(20));
        PushMessage push = PushMessage.message(call.target(), "m-1@example.test", "", "sip:alice@example.test",
                "sip:bob@example.test", call.sentAt(), call.sentAt().plus(Duration.ofDays(7)),
                new org.sippush.domain.push.MessageAlert("Hello Bob", "text/plain", 2, "sip:alice@example.test", false));

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(push)));

        JsonObject message = google.nextSend().message();
        assertEquals(MESSAGE_TOKEN, message.get("token").getAsString());
        JsonObject data = message.getAsJsonObject("data");
        assertEquals("message", data.get("type").getAsString());
        assertEquals("im", data.get("msg_type").getAsString());
        assertEquals("Hello Bob", data.get("msg_content").getAsString());
        assertEquals("sip:alice@example.test", data.get("send_from").getAsString());
        assertEquals("sip:bob@example.test", data.get("send_to").getAsString());
        assertEquals(push.pushId(), data.get("x-push-id").getAsString());
        assertEquals("text/plain", data.get("mime_type").getAsString());
        assertEquals("2", data.get("badge").getAsString());
        assertEquals("", data.get("from-name").getAsString());
        assertEquals("normal", message.getAsJsonObject("android").get("priority").getAsString(),
                "high only when the app asks for it");
        String ttl = message.getAsJsonObject("android").get("ttl").getAsString();
        assertTrue(Long.parseLong(ttl.substring(0, ttl.length() - 1)) > 604_000, "lives as long as the message: " + ttl);
        assertFalse(message.getAsJsonObject("android").has("collapse_key"));
    }

    @Test
    void messagePushOfAnAppThatAsksForItGoesAtHighPriority() throws Exception {
        PushMessage call = call(PACKAGE, Duration.ofSeconds(20));
        PushMessage push = PushMessage.message(call.target(), "m-2@example.test", "Alice", "sip:alice@example.test",
                "sip:bob@example.test", call.sentAt(), call.sentAt().plus(Duration.ofDays(7)),
                new org.sippush.domain.push.MessageAlert("", "text/plain", 1, "sip:alice@example.test", true));

        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(push)));

        assertEquals("high", google.nextSend().message().getAsJsonObject("android").get("priority").getAsString());
    }

    @Test
    void theAccessTokenIsFetchedOnceAndReused() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));
        }
        assertEquals(3, google.sendCount());
        assertEquals(1, google.tokenRequestCount());
    }

    @ParameterizedTest(name = "{2} ({0}) drops the token")
    @CsvSource({
            "404, NOT_FOUND, UNREGISTERED",
            "400, INVALID_ARGUMENT, INVALID_ARGUMENT",
            "403, PERMISSION_DENIED, SENDER_ID_MISMATCH",
    })
    void deadTokensAreRejectedForGood(int status, String grpcStatus, String errorCode) throws Exception {
        google.answer(Answer.error(status, grpcStatus, errorCode));

        PushOutcome outcome = outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30))));

        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class, outcome);
        assertTrue(rejected.tokenGone());
        assertEquals("FCM " + errorCode + " (HTTP " + status + ")", rejected.reason());
        assertEquals(1, google.sendCount(), "firebase-admin must not retry");
    }

    @Test
    void unregisteredWithGooglesExactAnswer() throws Exception {
        google.answer(new Answer(404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"message\":\"Requested entity was "
                + "not found.\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
                + "\"errorCode\":\"UNREGISTERED\"}]}}", Map.of(), false));

        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertTrue(rejected.tokenGone());
        assertEquals("FCM UNREGISTERED (HTTP 404)", rejected.reason());
    }

    @Test
    void thirdPartyAuthErrorKeepsTheToken() throws Exception {
        google.answer(Answer.error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"));

        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertFalse(rejected.tokenGone());
        // firebase-admin refreshes the access token and resends on every 401 (five sends in all), and the JDK
        // drops the body of a 401 to a streamed POST: the FCM error code is lost, the HTTP status is not.
        assertEquals("FCM UNAUTHENTICATED (HTTP 401)", rejected.reason());
    }

    @Test
    void unavailableFailsAtOnceWithoutLibraryRetries() throws Exception {
        google.answer(Answer.error(503, "UNAVAILABLE", "UNAVAILABLE"));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertEquals("FCM UNAVAILABLE (HTTP 503)", failed.reason());
        assertEquals(-1, failed.retryAfterMillis());
        // firebase-admin would have sent it five times (retries after 0.5, 1, 2, 4 s) before answering.
        assertEquals(1, google.sendCount());
    }

    @Test
    void unavailableWithRetryAfterKeepsGooglesDelay() throws Exception {
        google.answer(Answer.error(503, "UNAVAILABLE", null).withHeader("Retry-After", "7"));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertEquals("FCM UNAVAILABLE (HTTP 503)", failed.reason());
        assertEquals(7000, failed.retryAfterMillis());
        assertEquals(1, google.sendCount());
    }

    @Test
    void quotaExceededIsTransientWithRetryAfter() throws Exception {
        google.answer(Answer.error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED").withHeader("Retry-After", "3"));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertEquals("FCM QUOTA_EXCEEDED (HTTP 429)", failed.reason());
        assertEquals(3000, failed.retryAfterMillis());
        assertEquals(1, google.sendCount());
    }

    @Test
    void internalErrorIsTransient() throws Exception {
        google.answer(Answer.error(500, "INTERNAL", "INTERNAL"));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertEquals("FCM INTERNAL (HTTP 500)", failed.reason());
        assertEquals(1, google.sendCount());
    }

    @Test
    void anAppWithoutProjectIsRejectedWithoutAsking() throws Exception {
        PushOutcome.Rejected rejected = assertInstanceOf(PushOutcome.Rejected.class,
                outcome(gateway.send(call("com.example.other", Duration.ofSeconds(30)))));

        assertEquals("no FCM project for app com.example.other", rejected.reason());
        assertFalse(rejected.tokenGone());
        assertEquals(0, google.sendCount());
        assertFalse(gateway.serves("com.example.other"));
        assertTrue(gateway.serves(PACKAGE));
        assertTrue(gateway.serves(PROJECT), "RFC 8599 phones send the project id as pn-param");
    }

    @Test
    void anExpiredPushIsNotSent() throws Exception {
        PushMessage push = call(PACKAGE, Duration.ofSeconds(30));
        FcmGateway late = FcmGateway.builder()
                .project(FcmProject.of("sippush-late", account.file(), "com.example.late"))
                .endpoint(google.base())
                .clock(Clock.fixed(push.expiresAt().plusMillis(1), java.time.ZoneOffset.UTC))
                .build();
        try {
            PushMessage forLate = new PushMessage(push.pushId(), push.kind(), new PushSettings(PushProvider.FCM, CALL_TOKEN,
                    MESSAGE_TOKEN, "com.example.late", null, true, true), push.callId(), push.callerName(),
                    push.callerUri(), push.callee(), push.sentAt(), push.expiresAt());

            PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome(late.send(forLate)));

            assertEquals("push expired before it was sent", failed.reason());
            assertEquals(0, google.sendCount());
        } finally {
            late.close();
        }
    }

    @Test
    void fcmUnreachableIsATransientFailure() throws Exception {
        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));
        google.close();

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class,
                outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));

        assertTrue(failed.reason().startsWith("FCM UNKNOWN: "), failed.reason());
        assertEquals(-1, failed.retryAfterMillis());
    }

    @Test
    void tokenEndpointUnreachableFailsNoLaterThanThePushExpires() throws Exception {
        // google-auth retries a failed token request by itself (about 7 s of back-off): the expiry bounds it.
        google.close();
        PushMessage push = call(PACKAGE, Duration.ofMillis(1500));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome(gateway.send(push)));

        assertEquals("no answer from FCM before the push expired", failed.reason());
    }

    @Test
    void noAnswerBeforeThePushExpiresIsAFailureAtTheExpiry() throws Exception {
        google.answer(Answer.held());
        PushMessage push = call(PACKAGE, Duration.ofMillis(1500));

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome(gateway.send(push)));

        assertEquals("no answer from FCM before the push expired", failed.reason());
        assertFalse(Instant.now().isBefore(push.expiresAt()));
    }

    @Test
    void closingCompletesPushesInFlight() throws Exception {
        google.answer(Answer.held());
        CompletableFuture<PushOutcome> pending = gateway.send(call(PACKAGE, Duration.ofSeconds(30)));
        google.nextSend();

        gateway.close();

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome(pending));
        assertEquals("FCM gateway closed", failed.reason());
        assertInstanceOf(PushOutcome.Failed.class, outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));
    }

    @Test
    void twoProjectsEachWithTheirOwnPathAndCredentials() throws Exception {
        gateway.close();
        TestServiceAccount a = TestServiceAccount.create(dir, "project-a");
        TestServiceAccount b = TestServiceAccount.create(dir, "project-b");
        google.trust(a).trust(b).accessTokens(clientEmail -> "token-of-" + clientEmail);
        gateway = FcmGateway.builder()
                .projects(List.of(FcmProject.of("project-a", a.file(), "com.example.a"),
                        FcmProject.of("project-b", b.file(), "com.example.b")))
                .endpoint(google.base())
                .build();

        // A PortSIP phone names its package; an RFC 8599 phone names the Firebase project (pn-param).
        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call("com.example.a", Duration.ofSeconds(30)))));
        Received toA = google.nextSend();
        assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call("project-b", Duration.ofSeconds(30)))));
        Received toB = google.nextSend();

        assertEquals("/v1/projects/project-a/messages:send", toA.path());
        assertEquals("Bearer token-of-" + a.clientEmail(), toA.authorization());
        assertEquals("/v1/projects/project-b/messages:send", toB.path());
        assertEquals("Bearer token-of-" + b.clientEmail(), toB.authorization());
        assertEquals(Set.of(a.clientEmail(), b.clientEmail()),
                Set.of(google.nextTokenRequest().clientEmail(), google.nextTokenRequest().clientEmail()));
        assertEquals(List.of("project-a", "project-b"), gateway.projectIds());
        assertEquals("fcm project-a,project-b", gateway.name());
    }

    @Test
    void twoGatewaysForTheSameProjectLiveSideBySide() throws Exception {
        try (FcmGateway second = FcmGateway.builder().project(FcmProject.of(PROJECT, account.file(), PACKAGE))
                .endpoint(google.base()).build()) {
            assertInstanceOf(PushOutcome.Accepted.class, outcome(second.send(call(PACKAGE, Duration.ofSeconds(30)))));
            assertInstanceOf(PushOutcome.Accepted.class, outcome(gateway.send(call(PACKAGE, Duration.ofSeconds(30)))));
        }
    }

    @Test
    void theBuilderNamesConflictsAndBadFiles() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> FcmGateway.builder()
                .project(FcmProject.of("project-a", account.file(), "com.example.phone"))
                .project(FcmProject.of("project-b", account.file(), "com.example.phone"))
                .build());
        assertEquals("app id com.example.phone is served by two FCM projects: project-a and project-b", twice.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> FcmGateway.builder()
                .project(FcmProject.of("project-a", dir.resolve("missing.json"))).build());
        assertTrue(missing.getMessage().startsWith("FCM project project-a: the service-account file "), missing.getMessage());

        assertThrows(IllegalArgumentException.class, () -> FcmGateway.builder().build());
        assertThrows(IllegalArgumentException.class, () -> FcmGateway.builder().endpoint(java.net.URI.create("ftp://x")));
    }
}
