package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sip.RequestEvent;
import javax.sip.message.Response;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.infrastructure.push.apns.MockApns;
import org.sippush.infrastructure.push.fcm.LoopbackFcm;
import org.sippush.infrastructure.push.fcm.TestServiceAccount;
import org.sippush.testsupport.MessageRows;
import org.sippush.testsupport.SipMessages;
import org.sippush.testsupport.SipPhone;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.netty.channel.nio.NioEventLoopGroup;

/**
 * Instant messages to sleeping phones (issue 10), end to end: JAIN-SIP phones send and take the
 * MESSAGEs, the server pushes an iPhone through pushy's mock APNs server and an Android phone through
 * the loopback FCM endpoint, and the test reads the message tables of the H2 database. A phone
 * "sleeps" the way a killed app does: it registered with message push and its contact is gone; it
 * "wakes" by registering again from a new port with the same push identity.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MessageIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String VOIP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String DROID_APP = "com.example.droid";
    static final String PROJECT = "message-project";
    static final int MAX_BODY = 1000;

    static NioEventLoopGroup group;
    static MockApns apple;
    static LoopbackFcm google;
    static MessageRows rows;

    final List<SipPhone> phones = new ArrayList<>();
    SipPhone sender;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        group = new NioEventLoopGroup(1);
        apple = MockApns.start(group);
        Path dir = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it"), "message-fcm"));
        google = new LoopbackFcm().trust(TestServiceAccount.create(dir, PROJECT)).answer(LoopbackFcm.Answer.ok());
        Deployments.openAccess();
        rows = new MessageRows(Deployments.useH2("messages-" + UUID.randomUUID()), "sa", "");
        Map<String, String> settings = settings(dir);
        settings.forEach((key, value) -> System.setProperty("sippush." + key, value));
        return Deployments.war();
    }

    static Map<String, String> settings(Path dir) {
        return Map.ofEntries(
                Map.entry("push.apps", "phone,droid"),
                Map.entry("push.app.phone.id", MockApns.APP),
                Map.entry("push.app.phone.apns.key-file", MockApns.fixture("signing-key.p8").toString()),
                Map.entry("push.app.phone.apns.team-id", MockApns.TEAM_ID),
                Map.entry("push.app.phone.apns.key-id", MockApns.KEY_ID),
                Map.entry("push.apns.host", "127.0.0.1"),
                Map.entry("push.apns.sandbox-host", "127.0.0.1"),
                Map.entry("push.apns.port", Integer.toString(apple.port())),
                Map.entry("push.apns.trust-cert", MockApns.fixture("ca.pem").toString()),
                Map.entry("push.app.droid.id", DROID_APP),
                Map.entry("push.app.droid.fcm.project-id", PROJECT),
                Map.entry("push.app.droid.fcm.service-account", dir.resolve(PROJECT + "-firebase-adminsdk.json").toString()),
                Map.entry("push.fcm.endpoint", google.base().toString()),
                Map.entry("push.app.droid.message-high-priority", "true"),
                Map.entry("push.app.phone.message-preview-length", "12"),
                Map.entry("message.max-body-bytes", Integer.toString(MAX_BODY)),
                Map.entry("message.purge-interval", "1"));
    }

    @AfterAll
    static void stopPeers() throws Exception {
        for (String key : settings(Path.of(".")).keySet()) {
            System.clearProperty("sippush." + key);
        }
        apple.close();
        google.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    @BeforeEach
    void startSender() {
        apple.reset();
        sender = phone("alice");
    }

    @AfterEach
    void stopPhones() {
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    static String newAor(String user) {
        return "sip:" + user + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    }

    /** A fresh APNs message token per phone: pushes are told apart by their path. */
    static String apnsToken() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    static Response registerIphone(SipPhone phone, String aor, String apnsToken) {
        return phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "")
                .header("X-Push", "device-os=ios;device-uid=" + VOIP + "|" + apnsToken
                        + ";allow-call-push=true;allow-message-push=true;app-id=" + MockApns.APP)
                .expires(300).send();
    }

    static Response registerAndroid(SipPhone phone, String aor, String token) {
        return phone.register(aor, Deployments.sipPort(), "tcp").contactHere("", "")
                .header("X-Push", "device-os=android;device-uid=" + token
                        + ";allow-call-push=true;allow-message-push=true;app-id=" + DROID_APP)
                .expires(300).send();
    }

    /** An iPhone that registered and whose app was killed: its contact is gone. */
    static void sleepingIphone(String aor, String apnsToken) {
        SipPhone asleep = SipPhone.start("asleep-iphone");
        try {
            assertEquals(200, registerIphone(asleep, aor, apnsToken).getStatusCode());
        } finally {
            asleep.close();
        }
    }

    Response message(String to, String contentType, String body, String... headers) {
        return sender.send(SipMessages.message(sender, Deployments.sipPort(), to, contentType, body, headers));
    }

    Response text(String to, String body) {
        return message(to, "text/plain;charset=UTF-8", body);
    }

    /** The next MESSAGE the phone gets; it answers {@code status}. Returns its text. */
    static String take(SipPhone phone, int status) {
        RequestEvent event = phone.awaitRequest("MESSAGE", WAIT);
        phone.respond(event, status);
        return new String(event.getRequest().getRawContent(), StandardCharsets.UTF_8);
    }

    static JsonObject aps(MockApns.Received push) {
        return JsonParser.parseString(push.payload()).getAsJsonObject().getAsJsonObject("aps");
    }

    @Test
    void threeMessagesWhileAsleepAreAcceptedPushedWithBadgesAndDeliveredInOrderOnWake() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        String fcmToken = "fcm-" + UUID.randomUUID();
        sleepingIphone(bob, apnsToken);
        SipPhone droidAsleep = SipPhone.start("asleep-droid");
        assertEquals(200, registerAndroid(droidAsleep, bob, fcmToken).getStatusCode());
        droidAsleep.close();
        List<String> texts = List.of("Hello Bob, are you there?", "Zweite Nachricht: grüße 👋", "third");

        for (int i = 0; i < texts.size(); i++) {
            Response accepted = text(bob, texts.get(i));
            assertEquals(202, accepted.getStatusCode(), accepted.toString());

            MockApns.Received push = apple.next();
            assertEquals("alert", push.header("apns-push-type"));
            assertEquals(MockApns.APP, push.header("apns-topic"), "the bundle id, not .voip");
            assertTrue(push.header(":path").endsWith("/3/device/" + apnsToken), "the APNs (alert) token");
            JsonObject aps = aps(push);
            assertEquals(i + 1, aps.get("badge").getAsInt(), push.payload());
            assertEquals("sip:alice@example.test", aps.get("thread-id").getAsString());
            assertEquals(1, aps.get("mutable-content").getAsInt());
            assertEquals("Alice", aps.getAsJsonObject("alert").get("title").getAsString());
            String preview = texts.get(i).codePointCount(0, texts.get(i).length()) > 12
                    ? texts.get(i).substring(0, texts.get(i).offsetByCodePoints(0, 12)) + "…" : texts.get(i);
            assertEquals(preview, aps.getAsJsonObject("alert").get("body").getAsString(), "cut at the app's 12 characters");

            JsonObject fcm = google.nextSend().message();
            assertEquals(fcmToken, fcm.get("token").getAsString());
            JsonObject data = fcm.getAsJsonObject("data");
            assertEquals("im", data.get("msg_type").getAsString());
            assertEquals(texts.get(i), data.get("msg_content").getAsString(), "the default preview length is 100");
            assertEquals("sip:alice@example.test", data.get("send_from").getAsString());
            assertEquals(bob, data.get("send_to").getAsString());
            assertEquals("text/plain;charset=UTF-8", data.get("mime_type").getAsString());
            assertEquals(Integer.toString(i + 1), data.get("badge").getAsString());
            assertTrue(data.has("x-push-id"));
            assertEquals("high", fcm.getAsJsonObject("android").get("priority").getAsString(), "the app asked for it");
        }
        assertEquals(3, rows.messages(bob), "stored before the 202");

        SipPhone iphone = phone("woken-iphone");
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        for (String expected : texts) {
            RequestEvent delivered = iphone.awaitRequest("MESSAGE", WAIT);
            assertEquals(expected, new String(delivered.getRequest().getRawContent(), StandardCharsets.UTF_8));
            assertTrue(delivered.getRequest().getHeader("From").toString().contains("sip:alice@example.test"));
            assertTrue(delivered.getRequest().getHeader("Content-Type").toString().contains("text/plain"));
            assertTrue(delivered.getRequest().getHeader("Date") != null, "when the server accepted it");
            iphone.respond(delivered, 200);
        }
        Awaits.until(() -> rows.deliveries(bob), n -> n == 3, WAIT);
        assertEquals(3, rows.messages(bob), "the Android phone has not taken them yet");

        SipPhone droid = phone("woken-droid");
        assertEquals(200, registerAndroid(droid, bob, fcmToken).getStatusCode());
        for (String expected : texts) {
            assertEquals(expected, take(droid, 200));
        }
        Awaits.until(() -> rows.messages(bob), n -> n == 0, WAIT);
        assertEquals(0, rows.deliveries(bob));
    }

    @Test
    void aMessageToAUserWithoutSleepingDevicesIsProxiedAndThePhonesAnswerGoesBack() {
        String carol = newAor("carol");
        SipPhone desk = phone("desk");
        assertEquals(200, desk.register(carol, Deployments.sipPort(), "udp").contactHere("", "").expires(300).send()
                .getStatusCode());

        SipPhone.Sent sent = sender.sendAsync(SipMessages.message(sender, Deployments.sipPort(), carol, "text/plain",
                "are you at your desk?"));
        assertEquals("are you at your desk?", take(desk, 200));

        assertEquals(200, sent.join().getStatusCode(), "the phone's 200, not a 202");
        assertEquals(0, rows.messages(carol), "nothing stored");
        Response unknown = text(newAor("nobody"), "hello?");
        assertEquals(404, unknown.getStatusCode());
        assertEquals("Unknown user", unknown.getReasonPhrase());
    }

    @Test
    void aMessageRefusedByThePhoneIsKeptWithTheRestForTheNextRegistrationAndNothingComesTwice() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        sleepingIphone(bob, apnsToken);
        for (String body : List.of("one", "two", "three")) {
            assertEquals(202, text(bob, body).getStatusCode());
        }

        SipPhone iphone = phone("woken-iphone");
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("one", take(iphone, 200));
        assertEquals("two", take(iphone, 500));
        Awaits.until(() -> rows.messages(bob), n -> n == 2, WAIT);

        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("two", take(iphone, 200), "the third was not sent after the 500: order kept");
        assertEquals("three", take(iphone, 200));
        Awaits.until(() -> rows.messages(bob), n -> n == 0, WAIT);

        assertEquals(202, text(bob, "four").getStatusCode());
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("four", take(iphone, 200), "nothing delivered before came again");
    }

    @Test
    void anAwakeDeviceGetsTheMessageAtOnceAndTheSleepingOneWhenItWakes() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        sleepingIphone(bob, apnsToken);
        SipPhone desk = phone("desk");
        assertEquals(200, desk.register(bob, Deployments.sipPort(), "udp").contactHere("", "").expires(300).send()
                .getStatusCode());

        assertEquals(202, text(bob, "lunch?").getStatusCode());

        assertEquals("lunch?", take(desk, 200), "the awake phone at once");
        MockApns.Received push = apple.next();
        assertTrue(push.header(":path").endsWith("/3/device/" + apnsToken), "the sleeping one is pushed");
        Awaits.until(() -> rows.deliveries(bob), n -> n == 1, WAIT);

        SipPhone iphone = phone("woken-iphone");
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("lunch?", take(iphone, 200));
        Awaits.until(() -> rows.messages(bob), n -> n == 0, WAIT);
    }

    @Test
    void anExpiredMessageIsNeverDelivered() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        sleepingIphone(bob, apnsToken);

        assertEquals(202, message(bob, "text/plain", "stale", "Expires: 1").getStatusCode());
        assertEquals(1, rows.messages(bob));
        Awaits.until(() -> rows.messages(bob), n -> n == 0, WAIT);  // expired, then purged (every second here)
        assertEquals(202, text(bob, "fresh").getStatusCode());

        SipPhone iphone = phone("woken-iphone");
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("fresh", take(iphone, 200), "the expired one is not delivered before it");
    }

    @Test
    void isComposingIsNeitherStoredNorPushed() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        sleepingIphone(bob, apnsToken);

        Response composing = message(bob, "application/im-iscomposing+xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                        + "<state>active</state></isComposing>");

        assertEquals(480, composing.getStatusCode());
        assertEquals(0, rows.messages(bob), "not stored");
        assertEquals(202, text(bob, "typed").getStatusCode());
        JsonObject aps = aps(apple.next());
        assertEquals("typed", aps.getAsJsonObject("alert").get("body").getAsString(), "the first push is the message's");
        assertEquals(1, aps.get("badge").getAsInt());
    }

    @Test
    void anOversizedBodyIsRefusedWithNothingStoredAndNothingLost() throws Exception {
        String bob = newAor("bob");
        String apnsToken = apnsToken();
        sleepingIphone(bob, apnsToken);
        assertEquals(202, text(bob, "before").getStatusCode());
        apple.next();

        Response refused = text(bob, "x".repeat(MAX_BODY + 1));

        assertEquals(413, refused.getStatusCode());
        assertEquals("Message body too large: " + (MAX_BODY + 1) + " bytes (at most " + MAX_BODY + ")",
                refused.getReasonPhrase());
        assertEquals(1, rows.messages(bob), "nothing stored, nothing lost");
        assertNull(apple.poll(), "not pushed");
        SipPhone iphone = phone("woken-iphone");
        assertEquals(200, registerIphone(iphone, bob, apnsToken).getStatusCode());
        assertEquals("before", take(iphone, 200));
    }
}
