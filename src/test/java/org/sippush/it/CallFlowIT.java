package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.PushRecorder;
import org.sippush.testsupport.SipPhone;

/**
 * Calls through the server with real SIP user agents: to an awake phone, and to a killed phone
 * that is woken by a push and re-registers from a new port (the PortSIP flow).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CallFlowIT {

    static final Duration PUSH_WAIT = Duration.ofSeconds(6);
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String PN = ";pn-provider=apns;pn-prid=" + TOKEN + ";pn-param=ABCDE12345.com.example.phone.voip";

    static PushRecorder pushes;

    final List<SipPhone> phones = new ArrayList<>();
    String callee;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        pushes = new PushRecorder();
        Deployments.openAccess();
        Deployments.useH2("calls");
        System.setProperty("sippush.push.provider", "webhook");
        System.setProperty("sippush.push.webhook.url", pushes.url());
        System.setProperty("sippush.push.wait", Long.toString(PUSH_WAIT.toSeconds()));
        return Deployments.war();
    }

    @AfterAll
    static void stopRecorder() {
        System.clearProperty("sippush.push.provider");
        System.clearProperty("sippush.push.webhook.url");
        System.clearProperty("sippush.push.wait");
        pushes.close();
    }

    @BeforeEach
    void newCallee() {
        callee = "sip:c" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        pushes.clear();
        pushes.answerWith(200);
    }

    @AfterEach
    void stopPhones() {
        pushes.release();
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    Response register(SipPhone phone, String transport, String uriParams) {
        return phone.register(callee, Deployments.sipPort(), transport).contactHere(uriParams, "").expires(300).send();
    }

    /** A phone registered with push whose app was then killed: its old contact is silent. */
    void killedPhone(String transport) {
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, transport, PN).getStatusCode());
        asleep.close();
    }

    SipPhone.Sent call(SipPhone caller) {
        return caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
    }

    static String callId(javax.sip.message.Message message) {
        return Calls.callId(message);
    }

    @Test
    void awakePhoneIsCalledDirectly() {
        SipPhone awake = phone("awake");
        assertEquals(200, register(awake, "udp", "").getStatusCode());
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent incoming = awake.awaitRequest("INVITE", WAIT);

        assertEquals(callId(invite.transaction().getRequest()), callId(incoming.getRequest()));
        Calls.answerAndHangUp(caller, invite, awake, incoming, WAIT);
        assertEquals(0, pushes.pending(), "no push for a phone without push");
    }

    @Test
    void killedPhoneIsWokenByAPushAndGetsTheCallAtItsNewAddress() {
        killedPhone("udp");
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        String push = pushes.awaitPush(WAIT);
        String callId = callId(invite.transaction().getRequest());
        assertTrue(push.contains("\"type\":\"call\""), push);
        assertTrue(push.contains("\"call-id\":\"" + callId + "\""), push);
        assertTrue(push.contains("\"from-name\":\"Alice Caller\""), push);
        assertTrue(push.contains("\"from-uri\":\"sip:alice@example.test\""), push);
        assertTrue(push.contains("\"to-uri\":\"" + callee + "\""), push);
        assertTrue(push.contains("\"token\":\"" + TOKEN + "\""), push);

        SipPhone woken = phone("woken");  // the app, woken, registers from a new port
        assertEquals(200, register(woken, "udp", PN).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        assertEquals(callId, callId(incoming.getRequest()));
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void staleContactThatFailsAtOnceDoesNotEndTheHeldCall() {
        killedPhone("tcp");  // its TCP port is closed now: the branch there fails at once (503)
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "tcp", PN).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void noReRegistrationGives480AfterThePushWait() {
        killedPhone("udp");
        SipPhone caller = phone("caller");
        long start = System.nanoTime();

        Response response = call(caller).join(PUSH_WAIT.plus(WAIT));

        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(480, response.getStatusCode());
        assertTrue(waited >= PUSH_WAIT.toMillis() - 200, "480 only after the push wait, was " + waited + " ms");
        pushes.awaitPush(WAIT);
    }

    @Test
    void cancelWhileHeldGives487AndTheWokenIphoneIsOnlyToldItEnded() {
        killedPhone("udp");
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);

        assertEquals(200, caller.cancel(invite).getStatusCode());
        assertEquals(487, invite.join(WAIT).getStatusCode());

        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", PN).getStatusCode());
        // iOS: the cancelled call's INVITE still comes (CallKit must show the call its VoIP push
        // announced), then at once its CANCEL; it never reaches the caller again
        RequestEvent late = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId(invite.transaction().getRequest()), callId(late.getRequest()));
        woken.respond(late, 180);
        RequestEvent cancel = woken.awaitRequest("CANCEL", WAIT);
        assertEquals(callId(invite.transaction().getRequest()), callId(cancel.getRequest()));
        woken.respond(cancel, 200);
        woken.respond(late, 487);
        // a later call is delivered as usual
        SipPhone.Sent marker = call(caller);
        RequestEvent next = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId(marker.transaction().getRequest()), callId(next.getRequest()));
        woken.respond(next, 486);
    }

    @Test
    void twoHeldCallsAreBothDeliveredOnceByOneReRegistration() {
        killedPhone("udp");
        SipPhone caller = phone("caller");
        SipPhone.Sent one = call(caller);
        SipPhone.Sent two = call(caller);
        pushes.awaitPush(WAIT);
        pushes.awaitPush(WAIT);

        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", PN).getStatusCode());
        RequestEvent a = woken.awaitRequest("INVITE", WAIT);
        RequestEvent b = woken.awaitRequest("INVITE", WAIT);
        assertEquals(Set.of(callId(one.transaction().getRequest()), callId(two.transaction().getRequest())),
                new HashSet<>(List.of(callId(a.getRequest()), callId(b.getRequest()))));

        // A second refresh delivers neither again: the next INVITE the phone sees is a new call.
        assertEquals(200, register(woken, "udp", PN).getStatusCode());
        SipPhone.Sent marker = call(caller);
        RequestEvent next = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId(marker.transaction().getRequest()), callId(next.getRequest()));
        woken.respond(a, 486);
        woken.respond(b, 486);
        woken.respond(next, 486);
    }

    @Test
    void reRegistrationWhileThePushIsStillBeingSentDeliversExactlyOnce() {
        killedPhone("udp");
        pushes.holdAnswers();  // the provider has not answered yet: the push is in flight
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);

        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", PN).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
        pushes.release();
        assertEquals(200, register(woken, "udp", PN).getStatusCode());

        SipPhone.Sent marker = call(caller);
        RequestEvent next = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId(marker.transaction().getRequest()), callId(next.getRequest()),
                "the held call was delivered exactly once");
        assertNotEquals(callId(incoming.getRequest()), callId(next.getRequest()));
        woken.respond(next, 486);
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }
}
