package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sip.RequestEvent;
import javax.sip.header.ReasonHeader;
import javax.sip.message.Request;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.PushRecorder;
import org.sippush.testsupport.SipPhone;

/**
 * A call's whole life with real SIP user agents (issue 9): dead tokens, several devices, a woken
 * phone's own answer, ringing past the push wait, a phone back at its old address, re-sent and
 * merged INVITEs, and the caller's 100 Trying.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CallLifeIT {

    static final Duration PUSH_WAIT = Duration.ofSeconds(5);
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Duration GRACE = Duration.ofMillis(1500);

    static PushRecorder pushes;
    static BindingRows rows;

    final List<SipPhone> phones = new ArrayList<>();
    String callee;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        pushes = new PushRecorder();
        Deployments.openAccess();
        rows = new BindingRows(Deployments.useH2("call-life"), "sa", "");
        System.setProperty("sippush.push.provider", "webhook");
        System.setProperty("sippush.push.webhook.url", pushes.url());
        System.setProperty("sippush.push.wait", Long.toString(PUSH_WAIT.toSeconds()));
        // one app wants missed-call notices (its phones register with pn-param ...com.example.notice.voip)
        System.setProperty("sippush.push.apps", "notice,grace");
        System.setProperty("sippush.push.app.notice.id", "com.example.notice");
        System.setProperty("sippush.push.app.notice.missed-call-notice", "true");
        // and one app pushes only when the phone's old contact has not answered within a grace time
        System.setProperty("sippush.push.app.grace.id", "com.example.grace");
        System.setProperty("sippush.push.app.grace.push-grace-ms", Long.toString(GRACE.toMillis()));
        return Deployments.war();
    }

    @AfterAll
    static void stopRecorder() {
        System.clearProperty("sippush.push.provider");
        System.clearProperty("sippush.push.webhook.url");
        System.clearProperty("sippush.push.wait");
        System.clearProperty("sippush.push.apps");
        System.clearProperty("sippush.push.app.notice.id");
        System.clearProperty("sippush.push.app.notice.missed-call-notice");
        System.clearProperty("sippush.push.app.grace.id");
        System.clearProperty("sippush.push.app.grace.push-grace-ms");
        pushes.close();
    }

    @BeforeEach
    void newCallee() {
        callee = "sip:life" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
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

    static String token() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    static String pn(String token) {
        return ";pn-provider=apns;pn-prid=" + token + ";pn-param=ABCDE12345.com.example.phone.voip";
    }

    Response register(SipPhone phone, String transport, String uriParams) {
        return phone.register(callee, Deployments.sipPort(), transport).contactHere(uriParams, "").expires(300).send();
    }

    /** A phone registered with push whose app was then killed: its old contact is silent; returns its port. */
    int killedPhone(String transport, String token) {
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, transport, pn(token)).getStatusCode());
        asleep.close();
        return asleep.port();
    }

    SipPhone.Sent call(SipPhone caller) {
        return caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
    }

    /** A call to a killed phone over UDP, its push, and the phone woken at a new port with the INVITE in hand. */
    record WokenCall(SipPhone caller, SipPhone.Sent invite, SipPhone woken, RequestEvent incoming) {
    }

    WokenCall wokenCall() {
        String token = token();
        killedPhone("udp", token);
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", pn(token)).getStatusCode());
        return new WokenCall(caller, invite, woken, woken.awaitRequest("INVITE", WAIT));
    }

    @Test
    void aDeadTokenEndsTheCallAtOnceAndTakesItsBindingWithIt() {
        String token = token();
        killedPhone("udp", token);  // the stale UDP branch is still being retransmitted when the answer comes
        pushes.answerWith(410);
        SipPhone caller = phone("caller");
        long start = System.nanoTime();

        Response first = call(caller).join(WAIT);

        assertEquals(480, first.getStatusCode());
        assertTrue(System.nanoTime() - start < PUSH_WAIT.toNanos(), "at once, not at the end of the push wait");
        assertEquals(List.of(), rows.of(callee), "the binding of the dead token is gone");
        long again = System.nanoTime();
        assertEquals(480, call(caller).join(WAIT).getStatusCode(), "the next call is not sent to the dead contact");
        assertTrue(System.nanoTime() - again < PUSH_WAIT.toNanos());
    }

    @Test
    void oneRejectedPushDoesNotFailTheCallWhileAnotherDeviceWakes() {
        String dead = token();
        String live = token();
        killedPhone("udp", dead);
        killedPhone("udp", live);
        pushes.answerWith(410, dead);
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", pn(live)).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void aWokenPhonesBusyReachesTheCallerAtOnce() {
        WokenCall call = wokenCall();
        SipPhone caller = call.caller();
        SipPhone.Sent invite = call.invite();
        SipPhone woken = call.woken();
        RequestEvent incoming = call.incoming();
        long start = System.nanoTime();

        woken.respond(incoming, 486);

        assertEquals(486, invite.join(WAIT).getStatusCode());
        assertTrue(System.nanoTime() - start < PUSH_WAIT.toNanos(), "not at the end of the push wait");
    }

    @Test
    void aWokenPhoneThatRingsIsNotCancelledWhenThePushWaitEnds() throws InterruptedException {
        WokenCall call = wokenCall();
        SipPhone caller = call.caller();
        SipPhone.Sent invite = call.invite();
        SipPhone woken = call.woken();
        RequestEvent incoming = call.incoming();
        woken.respond(incoming, 180);

        // past the push wait, the phone still rings: no CANCEL reaches it, the caller has no final answer
        RequestEvent cancel = woken.pollRequest(PUSH_WAIT.plusSeconds(2));
        assertTrue(cancel == null, "nothing sent to the ringing phone: " + (cancel == null ? "" : cancel.getRequest()));
        assertFalse(invite.isDone(), "the caller still waits");
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void aPhoneBackAtItsOldAddressGetsTheCall() {
        String token = token();
        int port = killedPhone("tcp", token);  // its TCP port is closed: the branch there fails at once
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);

        SipPhone back = SipPhone.start("back", "127.0.0.1", port);
        phones.add(back);
        assertEquals(200, register(back, "tcp", pn(token)).getStatusCode());
        RequestEvent incoming = back.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, back, incoming, WAIT);
    }

    @Test
    void theAnswerCancelsTheOtherDeviceWithAReason() {
        String token = token();
        killedPhone("udp", token);
        SipPhone desk = phone("desk");
        assertEquals(200, register(desk, "udp", "").getStatusCode());
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        RequestEvent atDesk = desk.awaitRequest("INVITE", WAIT);
        desk.respond(atDesk, 180);
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", pn(token)).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        woken.respond(incoming, 200, "Contact: <sip:callee@127.0.0.1:" + woken.port() + ">");
        RequestEvent cancel = desk.awaitRequest("CANCEL", WAIT);
        ReasonHeader reason = (ReasonHeader) cancel.getRequest().getHeader(ReasonHeader.NAME);
        assertEquals("SIP", reason.getProtocol());
        assertEquals(200, reason.getCause());
        assertEquals("Call completed elsewhere", reason.getText());
        assertEquals(200, invite.join(WAIT).getStatusCode());
        desk.respond(cancel, 200);
        desk.respond(atDesk, 487);
    }

    /**
     * iOS stop-ringing: a phone that wakes after its call ended gets the INVITE CallKit was told of
     * (same Call-ID), then at once a CANCEL whose Reason says how the call ended.
     */
    static void lateWakeGetsInviteThenCancel(SipPhone late, String callId, int cause, String text) {
        RequestEvent invite = late.awaitRequest("INVITE", WAIT);
        assertEquals(callId, Calls.callId(invite.getRequest()), "the call its VoIP push announced");
        late.respond(invite, 180);
        RequestEvent cancel = late.awaitRequest("CANCEL", WAIT);
        ReasonHeader reason = (ReasonHeader) cancel.getRequest().getHeader(ReasonHeader.NAME);
        assertEquals("SIP", reason.getProtocol());
        assertEquals(cause, reason.getCause());
        assertEquals(text, reason.getText());
        late.respond(cancel, 200);
        late.respond(invite, 487);
    }

    @Test
    void anIphoneThatWakesAfterTheOtherDeviceAnsweredGetsTheInviteThenACancelCompletedElsewhere() {
        String first = token();
        String second = token();
        killedPhone("udp", first);
        killedPhone("udp", second);
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", pn(first)).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);

        SipPhone late = phone("late");
        assertEquals(200, register(late, "udp", pn(second)).getStatusCode());

        lateWakeGetsInviteThenCancel(late, Calls.callId(invite.transaction().getRequest()), 200, "Call completed elsewhere");
    }

    @Test
    void anIphoneThatWakesAfterTheCallerHungUpGetsTheInviteThenACancelWithTheCallersReason() throws InterruptedException {
        String token = token();
        killedPhone("tcp", token);
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);
        caller.cancel(invite);
        assertEquals(487, invite.join(WAIT).getStatusCode());

        SipPhone late = phone("late");
        assertEquals(200, register(late, "tcp", pn(token)).getStatusCode());

        lateWakeGetsInviteThenCancel(late, Calls.callId(invite.transaction().getRequest()), 487, "Call cancelled by the caller");
        assertEquals(200, register(late, "tcp", pn(token)).getStatusCode());
        RequestEvent again = late.pollRequest(Duration.ofSeconds(1));
        assertTrue(again == null || !again.getRequest().getMethod().equals("INVITE"), "told once, not at every REGISTER");
    }

    @Test
    void aReSentInviteIsTheSameCallWithOnePushAndAMergedOneIsRefused() throws Exception {
        String token = token();
        killedPhone("udp", token);
        SipPhone caller = phone("caller");
        SipPhone.Sent first = call(caller);
        pushes.awaitPush(WAIT);
        Request invite = first.transaction().getRequest();

        // the same INVITE on another path (new Via branch, same CSeq): a merged request
        Request merged = (Request) invite.clone();
        ((javax.sip.header.ViaHeader) merged.getHeader("Via")).setBranch("z9hG4bK" + UUID.randomUUID().toString().replace("-", ""));
        Response mergedAnswer = caller.sendAsync(merged).join(WAIT);
        // the caller re-sends it (new CSeq) while the first still waits
        Response resentAnswer = caller.resend(invite, "Subject", "again").join(WAIT);

        assertEquals(482, mergedAnswer.getStatusCode());
        assertEquals(500, resentAnswer.getStatusCode());
        assertTrue(resentAnswer.getHeader("Retry-After") != null, "RFC 3261 §14.2: with Retry-After");
        assertEquals(480, first.join(PUSH_WAIT.plus(WAIT)).getStatusCode(), "the first still ends as a held call does");
        assertEquals(0, pushes.pending(), "one push for the call");
    }

    @Test
    void theCallerGets100TryingBeforeThePushLeaves() {
        killedPhone("udp", token());
        pushes.holdAnswers();
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);

        pushes.awaitPush(WAIT);

        Response trying = invite.provisionals().stream().filter(r -> r.getStatusCode() == 100).findFirst().orElse(null);
        assertTrue(trying != null, "100 Trying was there before the push: " + invite.provisionals());
    }

    /**
     * A REGISTER as a phone behind NAT writes it: Via and Contact name its private address, where
     * nothing of it listens (127.0.0.2:1), while its packets come from its real loopback port.
     */
    Response registerBehindNat(SipPhone phone, String transport, String uriParams) {
        String user = callee.substring(4, callee.indexOf('@'));
        return phone.register(callee, Deployments.sipPort(), transport).via("127.0.0.2:1;rport")
                .contact("<sip:" + user + "@127.0.0.2:1;transport=" + transport + uriParams + ">").expires(300).send();
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void aPhoneBehindNatIsCalledWhereItsRegisterCameFrom(String transport) {
        SipPhone natted = phone("natted");
        assertEquals(200, registerBehindNat(natted, transport, "").getStatusCode());
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent incoming = natted.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, natted, incoming, WAIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void aWokenPhoneBehindNatGetsTheHeldCall(String transport) {
        String token = token();
        killedPhone(transport, token);
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = call(caller);
        pushes.awaitPush(WAIT);

        SipPhone woken = phone("woken");
        assertEquals(200, registerBehindNat(woken, transport, pn(token)).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    /**
     * RFC 5626 outbound: the phone asks for it (Supported: outbound, reg-id, +sip.instance) with a
     * Contact where nothing listens and a Via that shows no NAT; it is called over the flow its
     * REGISTER came on, and the 200 says so (Require: outbound).
     */
    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void aPhoneThatAsksForOutboundIsCalledOverItsFlow(String transport) {
        SipPhone phone = phone("outbound");
        String user = callee.substring(4, callee.indexOf('@'));
        Response ok = phone.register(callee, Deployments.sipPort(), transport)
                .contact("<sip:" + user + "@127.0.0.2:1;transport=" + transport + ">;reg-id=1;+sip.instance=\"<urn:uuid:"
                        + UUID.randomUUID() + ">\"")
                .header("Supported", "outbound, path").expires(300).send();
        assertEquals(200, ok.getStatusCode());
        assertTrue(String.valueOf(ok.getHeader("Require")).contains("outbound"), "Require: outbound in " + ok);
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent incoming = phone.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, phone, incoming, WAIT);
    }

    /** RFC 3327: a phone registered through an edge proxy (Path) is called through that proxy. */
    @Test
    void aPhoneRegisteredThroughAnEdgeProxyIsCalledThroughIt() {
        SipPhone edge = phone("edge");
        SipPhone phone = phone("behind-edge");
        String user = callee.substring(4, callee.indexOf('@'));
        String path = "<sip:127.0.0.1:" + edge.port() + ";transport=udp;lr>";
        Response ok = phone.register(callee, Deployments.sipPort(), "udp")
                .contact("<sip:" + user + "@127.0.0.2:1;transport=udp>")
                .header("Path", path).header("Supported", "path").expires(300).send();
        assertEquals(200, ok.getStatusCode());
        assertEquals(path, ok.getHeader("Path").toString().substring("Path: ".length()).trim(), "Path stored and shown");
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent atEdge = edge.awaitRequest("INVITE", WAIT);

        assertEquals("sip:" + user + "@127.0.0.2:1;transport=udp", atEdge.getRequest().getRequestURI().toString());
        javax.sip.header.RouteHeader route = (javax.sip.header.RouteHeader) atEdge.getRequest().getHeader("Route");
        assertTrue(route != null && route.getAddress().getURI().toString().contains(":" + edge.port()),
                "routed through the Path: " + atEdge.getRequest());
        edge.respond(atEdge, 486);
        assertEquals(486, invite.join(WAIT).getStatusCode());
    }

    @Test
    void aPushedCallNobodyAnsweredLeavesAMissedCallNoticeWhereTheAppWantsOne() {
        String token = token();
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, "udp", ";pn-provider=apns;pn-prid=" + token
                + ";pn-param=ABCDE12345.com.example.notice.voip").getStatusCode());
        asleep.close();
        SipPhone caller = phone("caller");

        Response answer = call(caller).join(PUSH_WAIT.plus(WAIT));
        String call = pushes.awaitPush(WAIT);
        String notice = pushes.awaitPush(WAIT);

        assertEquals(480, answer.getStatusCode());
        assertTrue(call.contains("\"type\":\"call\""), call);
        assertTrue(notice.contains("\"type\":\"missed-call\""), notice);
        assertTrue(notice.contains("\"from-name\":\"Alice Caller\""), "the notice names the caller: " + notice);
        assertTrue(notice.contains("\"app-id\":\"com.example.notice\""), notice);
    }

    @Test
    void aContactRegisteredByAnotherClientIsCalledAtItsOwnAddressNotTakenForNat() {
        SipPhone desk = phone("desk");
        SipPhone registrar = phone("provisioning");  // registers the desk phone's contact for it
        String user = callee.substring(4, callee.indexOf('@'));
        assertEquals(200, registrar.register(callee, Deployments.sipPort(), "udp")
                .contact("<sip:" + user + "@127.0.0.1:" + desk.port() + ";transport=udp>").expires(300).send().getStatusCode());
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent incoming = desk.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, desk, incoming, WAIT);
    }

    static String gracePn(String token) {
        return ";pn-provider=apns;pn-prid=" + token + ";pn-param=ABCDE12345.com.example.grace.voip";
    }

    @Test
    void anAwakeAppThatRingsWithinTheGraceTimeIsNotPushed() {
        SipPhone awake = phone("awake");
        assertEquals(200, register(awake, "udp", gracePn(token())).getStatusCode());
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        RequestEvent incoming = awake.awaitRequest("INVITE", WAIT);
        awake.respond(incoming, 180);

        assertEquals(null, pushes.pollPush(GRACE.plusSeconds(2)), "no push for an app that rang in time");
        Calls.answerAndHangUp(caller, invite, awake, incoming, WAIT);
    }

    @Test
    void aSleepingPhoneIsPushedWhenTheGraceTimeEnds() {
        String token = token();
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, "udp", gracePn(token)).getStatusCode());
        asleep.close();
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = call(caller);
        assertTrue(pushes.awaitPush(WAIT).contains(token));
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, "udp", gracePn(token)).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }
}
