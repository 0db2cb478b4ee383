package org.sippush.infrastructure.push.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sip.RequestEvent;
import javax.sip.message.Response;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.it.Deployments;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.SipPhone;

import com.google.gson.JsonObject;

/**
 * End to end through FCM: the server, configured with a Firebase service account, pushes through
 * firebase-admin to a loopback FCM endpoint; the test, as the woken Android app, re-registers and
 * takes the call. A token FCM calls UNREGISTERED is removed and the held call fails at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FcmWakeUpIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final Duration PUSH_WAIT = Duration.ofSeconds(20);
    static final String PROJECT = "wake-project";
    static final String APP = "com.example.droid";

    static LoopbackFcm google;
    static String dbUrl;

    final List<SipPhone> phones = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it"), "fcm"));
        TestServiceAccount account = TestServiceAccount.create(dir, PROJECT);
        google = new LoopbackFcm().trust(account).answer(LoopbackFcm.Answer.ok());
        Deployments.openAccess();
        dbUrl = Deployments.useH2("fcm-wakeup");
        System.setProperty("sippush.push.apps", "droid");
        System.setProperty("sippush.push.app.droid.id", APP);
        System.setProperty("sippush.push.app.droid.fcm.project-id", PROJECT);
        System.setProperty("sippush.push.app.droid.fcm.service-account", account.file().toString());
        System.setProperty("sippush.push.fcm.endpoint", google.base().toString());
        System.setProperty("sippush.push.wait", Long.toString(PUSH_WAIT.toSeconds()));
        System.setProperty("sippush.push.app.droid.missed-call-notice", "true");
        return Deployments.war();
    }

    @AfterAll
    static void stopGoogle() {
        for (String key : List.of("apps", "app.droid.id", "app.droid.fcm.project-id", "app.droid.fcm.service-account",
                "fcm.endpoint", "wait", "app.droid.missed-call-notice")) {
            System.clearProperty("sippush.push." + key);
        }
        google.close();
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

    static Response register(SipPhone phone, String aor, String token) {
        return phone.register(aor, Deployments.sipPort(), "tcp").contactHere("", "")
                .header("X-Push", "device-os=android;device-uid=" + token
                        + ";allow-call-push=true;allow-message-push=true;app-id=" + APP)
                .expires(300).send();
    }

    /** Registers with push, then the app is killed: its TCP contact refuses connections. */
    static String sleepingAndroid(String token) {
        String aor = "sip:droid" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, aor, token).getStatusCode());
        asleep.close();
        return aor;
    }

    @Test
    void callWakesTheAndroidPhoneThroughFcmAndReachesItAtItsNewAddress() throws Exception {
        String token = "fcm-token-" + UUID.randomUUID();
        String callee = sleepingAndroid(token);
        google.answer(LoopbackFcm.Answer.ok());
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
        LoopbackFcm.Received push = google.nextSend();

        String callId = Calls.callId(invite.transaction().getRequest());
        JsonObject message = push.message();
        assertEquals(PROJECT, push.projectId());
        assertEquals(token, message.get("token").getAsString());
        assertEquals("high", message.getAsJsonObject("android").get("priority").getAsString());
        assertNull(message.get("notification"), "data-only");
        assertEquals(callId, message.getAsJsonObject("data").get("call-id").getAsString());
        assertEquals("call", message.getAsJsonObject("data").get("type").getAsString());
        String ttl = message.getAsJsonObject("android").get("ttl").getAsString();
        assertTrue(Double.parseDouble(ttl.replace("s", "")) <= PUSH_WAIT.toSeconds(), "TTL within the push wait: " + ttl);

        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, callee, token).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId, Calls.callId(incoming.getRequest()));
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void aCallerWhoHangsUpStopsTheAndroidPhoneRinging() throws Exception {
        String token = "fcm-token-" + UUID.randomUUID();
        String callee = sleepingAndroid(token);
        google.answer(LoopbackFcm.Answer.ok());
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
        String callId = Calls.callId(invite.transaction().getRequest());
        assertEquals("call", google.nextSend().message().getAsJsonObject("data").get("type").getAsString());

        assertEquals(200, caller.cancel(invite).getStatusCode());
        assertEquals(487, invite.join(WAIT).getStatusCode());
        java.util.Map<String, JsonObject> byType = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {  // the cancel and the missed-call notice, in either order
            JsonObject sent = google.nextSend().message();
            byType.put(sent.getAsJsonObject("data").get("type").getAsString(), sent);
        }
        JsonObject cancel = byType.get("cancel");

        assertEquals(token, cancel.get("token").getAsString());
        JsonObject data = cancel.getAsJsonObject("data");
        assertEquals("cancel", data.get("type").getAsString());
        assertEquals(callId, data.get("call-id").getAsString());
        assertEquals("cancelled", data.get("reason").getAsString());
        assertEquals(callId, cancel.getAsJsonObject("android").get("collapse_key").getAsString(),
                "it replaces the call push if Google still holds it");
        JsonObject missed = byType.get("missed-call");
        assertEquals(token, missed.get("token").getAsString());
        assertEquals("Missed call", missed.getAsJsonObject("notification").get("title").getAsString());
        assertEquals("Alice Caller", missed.getAsJsonObject("notification").get("body").getAsString(),
                "a visible notice naming the caller");
    }

    @Test
    void unregisteredTokenIsRemovedAndTheHeldCallFailsAtOnce() throws Exception {
        String token = "dead-token-" + UUID.randomUUID();
        String callee = sleepingAndroid(token);
        google.answer(LoopbackFcm.Answer.error(404, "NOT_FOUND", "UNREGISTERED"));
        SipPhone caller = phone("caller");
        long start = System.nanoTime();

        Response response = caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp")
                .join(PUSH_WAIT.plus(WAIT));

        assertEquals(480, response.getStatusCode());
        assertTrue(System.nanoTime() - start < PUSH_WAIT.toNanos(), "failed at once, not after the push wait");
        assertEquals(token, google.nextSend().message().get("token").getAsString());
        List<BindingRows.Row> rows = new BindingRows(dbUrl, "sa", "").of(callee);
        assertEquals(List.of(), rows, "the binding of the dead token is gone with it");

        long again = System.nanoTime();
        Response next = caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp")
                .join(PUSH_WAIT.plus(WAIT));
        assertEquals(480, next.getStatusCode(), "the next call is not sent to the dead contact alone");
        assertTrue(System.nanoTime() - again < PUSH_WAIT.toNanos(), "at once");
    }
}
