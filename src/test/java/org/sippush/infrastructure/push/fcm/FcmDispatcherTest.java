package org.sippush.infrastructure.push.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sippush.application.PushDispatcher;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.sippush.infrastructure.push.LoggingPushGateway;
import org.sippush.infrastructure.push.fcm.LoopbackFcm.Answer;

/**
 * The retry policy belongs to the {@link PushDispatcher}: with firebase-admin's own retries off, each
 * attempt is one request to FCM, retried with back-off while the push is still useful.
 */
class FcmDispatcherTest {

    static final String PROJECT = "sippush-retry";
    static final String PACKAGE = "com.example.phone";

    @TempDir
    Path dir;

    LoopbackFcm google;
    PushDispatcher dispatcher;

    @BeforeEach
    void start() {
        TestServiceAccount account = TestServiceAccount.create(dir, PROJECT);
        google = new LoopbackFcm().trust(account);
        FcmGateway fcm = FcmGateway.builder()
                .project(FcmProject.of(PROJECT, account.file(), PACKAGE))
                .endpoint(google.base())
                .build();
        dispatcher = new PushDispatcher(Map.of(PushProvider.FCM, fcm), new LoggingPushGateway(), 2, 100, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        google.close();
    }

    @Test
    void twoUnavailableThenAcceptedAfterRetries() throws Exception {
        Answer unavailable = Answer.error(503, "UNAVAILABLE", "UNAVAILABLE");
        google.answer(unavailable, unavailable, Answer.ok());
        PushMessage push = FcmGatewayTest.call(PACKAGE, Duration.ofSeconds(20));

        PushOutcome outcome = dispatcher.dispatch(push).get(10, TimeUnit.SECONDS);

        assertInstanceOf(PushOutcome.Accepted.class, outcome);
        assertEquals(3, google.sendCount());
        // Each attempt is built afresh: its time to live is what is left of the wait, never more.
        List<Long> ttls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String ttl = google.nextSend().message().getAsJsonObject("android").get("ttl").getAsString();
            ttls.add(Long.parseLong(ttl.substring(0, ttl.length() - 1)));
        }
        assertTrue(ttls.get(0) >= ttls.get(1) && ttls.get(1) >= ttls.get(2) && ttls.get(0) <= 20, ttls.toString());
    }

    @Test
    void alwaysUnavailableFailsWithinThePushWait() throws Exception {
        google.answer(Answer.error(503, "UNAVAILABLE", "UNAVAILABLE"));
        PushMessage push = FcmGatewayTest.call(PACKAGE, Duration.ofSeconds(2));

        PushOutcome outcome = dispatcher.dispatch(push).get(10, TimeUnit.SECONDS);

        Instant done = Instant.now();
        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome);
        assertEquals("FCM UNAVAILABLE (HTTP 503)", failed.reason());
        assertTrue(!done.isAfter(push.expiresAt()), "failed at " + done + ", after the push expired at " + push.expiresAt());
        // Attempts at about 0, 0.25, 0.75 and 1.75 s: one request each, none hidden inside firebase-admin.
        int attempts = google.sendCount();
        assertTrue(attempts >= 3 && attempts <= 4, attempts + " requests");
    }
}
