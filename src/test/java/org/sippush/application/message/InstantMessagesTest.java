package org.sippush.application.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.message.StoredMessage;
import org.sippush.domain.push.MessageAlert;
import org.sippush.domain.push.PushMessage;
import org.sippush.infrastructure.persistence.Database;
import org.sippush.infrastructure.persistence.JpaMessageStore;

/**
 * The rules of stored messages, over the real store (JPA on an in-memory H2 database, migrated by
 * Flyway as in production): what is proxied, refused or stored, the badge, previews, the order and
 * per-device state of delivery, expiry and the caps.
 */
class InstantMessagesTest {

    static final String AOR = "sip:bob@example.test";
    static final String APP = "com.example.phone";
    static final String QUIET_APP = "com.example.quiet";
    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    /** A clock the test moves forward. */
    static final class TestClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    Database database;
    TestClock clock = new TestClock();
    InstantMessages messages;

    @BeforeEach
    void open() {
        database = Database.open("jdbc:h2:mem:messages-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        messages = messages(3, 100);
    }

    InstantMessages messages(int maxPerUser, int maxBodyBytes) {
        MessagePolicy policy = new MessagePolicy(Duration.ofDays(7), maxPerUser, maxBodyBytes,
                push -> push.appId().equals(QUIET_APP) ? 0 : 10, push -> push.appId().equals(QUIET_APP));
        return new InstantMessages(new JpaMessageStore(database.entityManagerFactory()), policy, clock);
    }

    @AfterEach
    void close() {
        database.close();
    }

    static Binding sleeping(String name, String app) {
        PushSettings push = new PushSettings(PushProvider.APNS, "voip-" + name, "alert-" + name, app, null, true, true);
        return binding(name, push);
    }

    static Binding awake(String name) {
        return binding(name, null);
    }

    static Binding binding(String name, PushSettings push) {
        String uri = "sip:" + name + "@127.0.0.1:40000";
        return new Binding(AOR, new Contact(uri, uri + ";transport=udp", null, 300, "reg-" + name, 1, null, null, null, push), T0);
    }

    static IncomingMessage text(String text) {
        return message("text/plain;charset=UTF-8", text, null);
    }

    static IncomingMessage message(String contentType, String body, Duration expires) {
        return new IncomingMessage(AOR, UUID.randomUUID() + "@sender", "sip:alice@example.test", "Alice", AOR,
                contentType, body.getBytes(StandardCharsets.UTF_8), expires);
    }

    static String device(Binding binding) {
        return MessageDevices.of(binding);
    }

    @Test
    void aUserWithoutSleepingDevicesGetsTheMessageProxied() {
        Binding phone = awake("desk");

        MessageDecision decision = messages.accept(text("hi"), List.of(phone));

        assertEquals(List.of(phone), assertInstanceOf(MessageDecision.Proxy.class, decision).targets());
        assertEquals(0, messages.waiting(AOR), "nothing stored");
    }

    @Test
    void threeMessagesToASleepingPhoneAreStoredAndPushedWithBadgesOneTwoThree() {
        Binding iphone = sleeping("iphone", APP);

        for (int badge = 1; badge <= 3; badge++) {
            MessageDecision.Stored stored = assertInstanceOf(MessageDecision.Stored.class,
                    messages.accept(text("message number " + badge), List.of(iphone)));

            assertEquals(badge, stored.waiting());
            PushMessage push = stored.pushes().get(0);
            assertEquals(PushMessage.Kind.MESSAGE, push.kind());
            assertEquals("alert-iphone", push.token(), "to the alert token, not the VoIP one");
            MessageAlert alert = push.alert();
            assertEquals(badge, alert.badge());
            assertEquals("message nu" + MessageAlert.CUT, alert.preview(), "cut at the app's 10 characters");
            assertEquals("sip:alice@example.test", alert.threadId());
            assertEquals("Alice", push.callerShown());
            assertFalse(alert.highPriority());
            assertEquals(List.of(), stored.deliverNow());
        }
        assertEquals(3, messages.waiting(AOR));
    }

    @Test
    void storedMessagesGoOutOldestFirstAndEachDeviceTakesEachOnce() {
        Binding iphone = sleeping("iphone", APP);
        Binding ipad = sleeping("ipad", APP);
        long first = stored(text("one"), iphone, ipad).message().id();
        long second = stored(text("two"), iphone, ipad).message().id();

        assertEquals(first, messages.next(AOR, device(iphone)).orElseThrow().id());
        assertTrue(messages.delivered(first, device(iphone)));
        assertFalse(messages.delivered(first, device(iphone)), "never twice to the same device");
        assertEquals(second, messages.next(AOR, device(iphone)).orElseThrow().id());
        assertEquals(2, messages.waiting(AOR), "the iPad has not taken the first yet");

        assertEquals(first, messages.next(AOR, device(ipad)).orElseThrow().id(), "per-device delivery state");
        assertTrue(messages.delivered(first, device(ipad)));
        assertEquals(1, messages.waiting(AOR), "deleted once every device took it");
        assertTrue(messages.delivered(second, device(iphone)));
        assertTrue(messages.delivered(second, device(ipad)));
        assertEquals(Optional.empty(), messages.next(AOR, device(iphone)));
        assertEquals(0, messages.waiting(AOR));
    }

    @Test
    void aStoredMessageKeepsItsBodyAndSender() {
        Binding iphone = sleeping("iphone", APP);
        IncomingMessage incoming = message("text/plain;charset=UTF-8", "grüße 👋", null);
        stored(incoming, iphone);

        StoredMessage next = messages.next(AOR, device(iphone)).orElseThrow();

        assertArrayEquals("grüße 👋".getBytes(StandardCharsets.UTF_8), next.body());
        assertEquals("grüße 👋", next.text());
        assertEquals("sip:alice@example.test", next.senderUri());
        assertEquals("Alice", next.senderName());
        assertEquals(incoming.callId(), next.callId());
        assertEquals(T0, next.receivedAt());
    }

    @Test
    void anAwakeDeviceGetsTheMessageAtOnceAndTheSleepingOneIsPushed() {
        Binding iphone = sleeping("iphone", APP);
        Binding desk = awake("desk");

        MessageDecision.Stored stored = stored(text("hello"), iphone, desk);

        assertEquals(1, stored.pushes().size());
        assertEquals("alert-iphone", stored.pushes().get(0).token());
        assertEquals(List.of(desk), stored.deliverNow());
        assertEquals(stored.message().id(), messages.next(AOR, device(desk)).orElseThrow().id());
        assertEquals(stored.message().id(), messages.next(AOR, device(iphone)).orElseThrow().id());
    }

    @Test
    void previewsFollowTheAppAndTheType() {
        Binding quiet = sleeping("quiet", QUIET_APP);
        Binding iphone = sleeping("iphone", APP);

        MessageDecision.Stored text = stored(text("secret text"), quiet, iphone);
        MessageDecision.Stored picture = stored(message("image/jpeg", "JFIF", null), iphone);

        PushMessage toQuiet = text.pushes().stream().filter(p -> p.target().appId().equals(QUIET_APP)).findFirst()
                .orElseThrow();
        assertEquals("", toQuiet.alert().preview(), "previews off for that app");
        assertTrue(toQuiet.alert().highPriority(), "that app asked for FCM high priority");
        assertEquals("", picture.pushes().get(0).alert().preview(), "no preview of a body that is not text");
        assertEquals("image/jpeg", picture.pushes().get(0).alert().mimeType());
    }

    @Test
    void aMessageExpiresUndelivered() {
        Binding iphone = sleeping("iphone", APP);
        stored(text("old"), iphone);
        stored(message("text/plain", "short-lived", Duration.ofSeconds(30)), iphone);

        clock.now = T0.plusSeconds(31);
        assertEquals("old", messages.next(AOR, device(iphone)).orElseThrow().text(), "the sender's Expires shortened it");
        assertEquals(1, messages.waiting(AOR));

        clock.now = T0.plus(Duration.ofDays(7));
        assertEquals(Optional.empty(), messages.next(AOR, device(iphone)), "7 days by default");
        assertEquals(0, messages.waiting(AOR));
        assertEquals(2, messages.purgeExpired(), "deleted without delivery");
        assertEquals(0, messages.purgeExpired());
    }

    @Test
    void beyondTheCapPerUserNothingIsStoredAndNothingWaitingIsLost() {
        Binding iphone = sleeping("iphone", APP);
        for (int i = 0; i < 3; i++) {
            stored(text("m" + i), iphone);
        }

        MessageDecision.Refuse refused = assertInstanceOf(MessageDecision.Refuse.class,
                messages.accept(text("one too many"), List.of(iphone)));

        assertEquals(486, refused.status());
        assertTrue(refused.reason().contains("at most 3"), refused.reason());
        assertEquals(3, messages.waiting(AOR));
        assertEquals("m0", messages.next(AOR, device(iphone)).orElseThrow().text());
    }

    @Test
    void anOversizedBodyIsRefusedWithNothingStored() {
        Binding iphone = sleeping("iphone", APP);

        MessageDecision.Refuse refused = assertInstanceOf(MessageDecision.Refuse.class,
                messages.accept(text("x".repeat(101)), List.of(iphone)));

        assertEquals(413, refused.status());
        assertEquals("Message body too large: 101 bytes (at most 100)", refused.reason());
        assertEquals(0, messages.waiting(AOR));
        assertEquals(Optional.empty(), messages.next(AOR, device(iphone)));
        assertInstanceOf(MessageDecision.Stored.class, messages.accept(text("x".repeat(100)), List.of(iphone)),
                "exactly the limit is accepted");
    }

    @Test
    void isComposingIsNeitherStoredNorPushed() {
        Binding iphone = sleeping("iphone", APP);
        Binding desk = awake("desk");
        IncomingMessage composing = message("application/im-iscomposing+xml",
                "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state></isComposing>", null);

        MessageDecision asleep = messages.accept(composing, List.of(iphone));
        MessageDecision mixed = messages.accept(composing, List.of(iphone, desk));

        assertEquals(480, assertInstanceOf(MessageDecision.Refuse.class, asleep).status());
        assertEquals(List.of(desk), assertInstanceOf(MessageDecision.Proxy.class, mixed).targets(),
                "only to the awake device");
        assertEquals(Optional.empty(), messages.next(AOR, device(iphone)));
        assertEquals(Optional.empty(), messages.next(AOR, device(desk)));
    }

    @Test
    void imdnNoticesAreStoredAndDeliveredButNeverPushedNorCounted() {
        Binding iphone = sleeping("iphone", APP);
        stored(text("hello"), iphone);

        MessageDecision.Stored notice = stored(message("message/imdn+xml", "<imdn/>", null), iphone);

        assertEquals(List.of(), notice.pushes());
        assertEquals(1, notice.waiting(), "the badge counts messages, not notices");
        assertTrue(notice.message().notice());
        StoredMessage first = messages.next(AOR, device(iphone)).orElseThrow();
        assertTrue(messages.delivered(first.id(), device(iphone)));
        assertEquals(notice.message().id(), messages.next(AOR, device(iphone)).orElseThrow().id());
    }

    @Test
    void aDeviceIsTheSameAcrossAddressesByItsPushIdentity() {
        Binding before = sleeping("iphone", APP);
        PushSettings push = before.push();
        String moved = "sip:iphone@127.0.0.2:41000";
        Contact woken = new Contact(moved, moved + ";transport=udp", null, 300, "reg-2", 1, null, null, null, push);

        assertEquals(MessageDevices.of(before), MessageDevices.of(woken));
        assertTrue(MessageDevices.sleeps(before));
        assertFalse(MessageDevices.sleeps(awake("desk")));
    }

    MessageDecision.Stored stored(IncomingMessage message, Binding... live) {
        return assertInstanceOf(MessageDecision.Stored.class, messages.accept(message, List.of(live)));
    }
}
