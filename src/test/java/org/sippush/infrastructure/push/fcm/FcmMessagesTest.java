package org.sippush.infrastructure.push.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;

/** The translation rules that need no FCM peer: time to live, project matching, Retry-After. */
class FcmMessagesTest {

    static final Instant SENT = Instant.parse("2025-01-02T03:04:05Z");

    static PushMessage push(Duration wait) {
        PushSettings phone = new PushSettings(PushProvider.FCM, "call-token-123", "call-token-123", "com.example.phone",
                null, true, true);
        return PushMessage.call(phone, "c1", "", "sip:alice@example.test", "sip:bob@example.test", SENT, SENT.plus(wait));
    }

    @Test
    void ttlIsTheTimeLeftInWholeSeconds() {
        assertEquals(Duration.ofSeconds(30), FcmMessages.ttl(push(Duration.ofSeconds(30)), SENT));
        assertEquals(Duration.ofSeconds(29), FcmMessages.ttl(push(Duration.ofSeconds(30)), SENT.plusMillis(1)));
        assertEquals(Duration.ofSeconds(1), FcmMessages.ttl(push(Duration.ofSeconds(30)), SENT.plusMillis(28_100)));
    }

    @Test
    void ttlNeverOutlivesThePushWaitNorGoesNegative() {
        // A clock behind the one that stamped the push must not stretch the wait.
        assertEquals(Duration.ofSeconds(30), FcmMessages.ttl(push(Duration.ofSeconds(30)), SENT.minusSeconds(10)));
        assertEquals(Duration.ZERO, FcmMessages.ttl(push(Duration.ofSeconds(30)), SENT.plusSeconds(31)));
        assertEquals(Duration.ZERO, FcmMessages.ttl(push(Duration.ofMillis(900)), SENT));
    }

    @Test
    void dataCarriesPortSipKeys() {
        PushMessage call = push(Duration.ofSeconds(30));
        assertEquals(call.pushId(), FcmMessages.data(call).get("x-push-id"));
        assertEquals("call", FcmMessages.data(call).get("msg_type"));
        assertEquals("", FcmMessages.data(call).get("from-name"));
    }

    @Test
    void aProjectServesItsIdAndItsPackages() {
        FcmProject project = FcmProject.of("example-phone", Path.of("sa.json"), "com.example.phone", "com.example.phone.beta");
        assertTrue(project.serves("example-phone"));
        assertTrue(project.serves("com.example.phone.beta"));
        assertFalse(project.serves("com.example"));
        assertEquals(Set.of(), new FcmProject("p", null, Path.of("sa.json")).appIds());
        assertThrows(IllegalArgumentException.class, () -> FcmProject.of(" ", Path.of("sa.json")));
        assertThrows(IllegalArgumentException.class, () -> FcmProject.of("a/b", Path.of("sa.json")));
        assertThrows(NullPointerException.class, () -> FcmProject.of("p", null));
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        Clock clock = Clock.fixed(SENT, ZoneOffset.UTC);
        assertEquals(120_000, FcmAnswers.parseRetryAfter("120", clock));
        assertEquals(5_000, FcmAnswers.parseRetryAfter("Thu, 02 Jan 2025 03:04:10 GMT", clock));
        assertEquals(-1, FcmAnswers.parseRetryAfter(NoLibraryRetryConnection.NONE, clock));
        assertEquals(-1, FcmAnswers.parseRetryAfter("soon", clock));
        assertEquals(-1, FcmAnswers.parseRetryAfter(null, clock));
    }
}
