package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sip.RequestEvent;
import javax.sip.header.Header;
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
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.DigestAnswer;
import org.sippush.testsupport.PushRecorder;
import org.sippush.testsupport.SipPhone;

/**
 * Security with real SIP user agents (issue 11): digest authentication of REGISTER (SHA-256 and
 * MD5), ownership of the address-of-record, replayed nonces, trusted peers and challenged callers,
 * the per-source rate limit, the push cap per phone and the caps on held calls and contacts.
 * Sources are loopback addresses: 127.0.0.1 (phones), 127.0.0.2 and 127.0.0.4 (other sources),
 * 127.0.0.3 (the trusted peer, a PBX).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecurityIT {

    static final String DOMAIN = "example.test";
    static final String TRUSTED = "127.0.0.3";
    static final Duration WAIT = Duration.ofSeconds(15);
    static final int PUSH_WAIT = 4;
    static final int PUSHES_PER_MINUTE = 3;
    static final int HELD_PER_USER = 40;
    static final int CONTACTS = 3;
    static final String TOKEN = "f00dfeed0718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9abcde";

    static PushRecorder pushes;
    static BindingRows rows;

    final List<SipPhone> phones = new ArrayList<>();
    final Map<String, String> passwords = new HashMap<>();

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        pushes = new PushRecorder();
        String url = Deployments.useH2("security");
        rows = new BindingRows(url, "sa", "");
        System.setProperty("sippush.auth.enabled", "true");
        System.setProperty("sippush.auth.trusted-peers", TRUSTED + "/32");
        System.setProperty("sippush.limits.requests-per-second", "20");
        System.setProperty("sippush.limits.request-burst", "60");
        System.setProperty("sippush.limits.pushes-per-device-per-minute", Integer.toString(PUSHES_PER_MINUTE));
        System.setProperty("sippush.limits.held-calls-per-user", Integer.toString(HELD_PER_USER));
        System.setProperty("sippush.limits.contacts-per-aor", Integer.toString(CONTACTS));
        System.setProperty("sippush.push.provider", "webhook");
        System.setProperty("sippush.push.webhook.url", pushes.url());
        System.setProperty("sippush.push.wait", Integer.toString(PUSH_WAIT));
        return Deployments.war();
    }

    @AfterAll
    static void stopRecorder() {
        for (String key : List.of("auth.enabled", "auth.trusted-peers", "limits.requests-per-second",
                "limits.request-burst", "limits.pushes-per-device-per-minute", "limits.held-calls-per-user",
                "limits.contacts-per-aor", "push.provider", "push.webhook.url", "push.wait")) {
            System.clearProperty("sippush." + key);
        }
        pushes.close();
    }

    @BeforeEach
    void clearPushes() {
        pushes.clear();
    }

    @AfterEach
    void stopPhones() {
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        return phone(name, "127.0.0.1");
    }

    SipPhone phone(String name, String address) {
        SipPhone phone = SipPhone.start(name, address);
        phones.add(phone);
        return phone;
    }

    /** A new subscriber with its own password; returns its address-of-record. */
    String subscriber(String prefix) {
        String user = prefix + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        rows.putSubscriber(user, DOMAIN, DOMAIN, password);
        passwords.put(user, password);
        return "sip:" + user + "@" + DOMAIN;
    }

    static String user(String aor) {
        return aor.substring(4, aor.indexOf('@'));
    }

    static List<String> headers(Response response, String name) {
        List<String> values = new ArrayList<>();
        response.getHeaders(name).forEachRemaining(h -> {
            String text = h.toString();
            values.add(text.substring(text.indexOf(':') + 1).trim());
        });
        return values;
    }

    static String requestUri() {
        return "sip:127.0.0.1:" + Deployments.sipPort() + ";transport=udp";
    }

    /** REGISTER of {@code aor} from {@code phone}: challenged, then answered as {@code user} with {@code password}. */
    Response register(SipPhone phone, String aor, String user, String password, String algorithm, String uriParams) {
        Response challenge = phone.register(aor, Deployments.sipPort(), "udp").contactHere(uriParams, "").expires(300).send();
        assertEquals(401, challenge.getStatusCode(), challenge.toString());
        String offer = headers(challenge, "WWW-Authenticate").stream()
                .filter(h -> h.contains("algorithm=" + algorithm)).findFirst().orElseThrow();
        return phone.register(aor, Deployments.sipPort(), "udp").contactHere(uriParams, "").expires(300)
                .header("Authorization", DigestAnswer.answer(offer, "REGISTER", requestUri(), user, password, 1)).send();
    }

    Response register(SipPhone phone, String aor, String uriParams) {
        return register(phone, aor, user(aor), passwords.get(user(aor)), "SHA-256", uriParams);
    }

    @Test
    void registerWithoutCredentialsIsChallengedForSha256ThenMd5() {
        String aor = subscriber("u");
        Response challenge = phone("p").register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300).send();

        assertEquals(401, challenge.getStatusCode());
        List<String> offers = headers(challenge, "WWW-Authenticate");
        assertEquals(2, offers.size(), offers.toString());
        assertEquals("SHA-256", DigestAnswer.params(offers.get(0)).get("algorithm"));
        assertEquals("MD5", DigestAnswer.params(offers.get(1)).get("algorithm"));
        for (String offer : offers) {
            assertEquals(DOMAIN, DigestAnswer.params(offer).get("realm"));
            assertEquals("auth", DigestAnswer.params(offer).get("qop"));
        }
        assertTrue(rows.of(aor).isEmpty(), "nothing stored before authentication");
    }

    @Test
    void rightPasswordRegistersWithSha256AndWithMd5() {
        String sha = subscriber("sha");
        String md5 = subscriber("md5");

        assertEquals(200, register(phone("a"), sha, user(sha), passwords.get(user(sha)), "SHA-256", "").getStatusCode());
        assertEquals(200, register(phone("b"), md5, user(md5), passwords.get(user(md5)), "MD5", "").getStatusCode());
        assertEquals(1, rows.of(sha).size());
        assertEquals(1, rows.of(md5).size());
    }

    @Test
    void wrongPasswordIsChallengedAgainAndNothingIsStored() {
        String aor = subscriber("w");
        Response answer = register(phone("w"), aor, user(aor), "not-the-password", "SHA-256", "");

        assertEquals(401, answer.getStatusCode());
        assertTrue(rows.of(aor).isEmpty());
    }

    @Test
    void userACannotRegisterUserBsAddress() {
        String a = subscriber("a");
        String b = subscriber("b");
        assertEquals(200, register(phone("b"), b, "").getStatusCode());
        List<BindingRows.Row> before = rows.of(b);

        SipPhone intruder = phone("intruder");
        Response answer = register(intruder, b, user(a), passwords.get(user(a)), "SHA-256", "");

        assertEquals(403, answer.getStatusCode());
        assertEquals(before, rows.of(b), "B's binding unchanged");
    }

    @Test
    void aReplayedNonceCountIsChallengedAgainAsStale() {
        String aor = subscriber("r");
        SipPhone phone = phone("r");
        Response challenge = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300).send();
        String offer = headers(challenge, "WWW-Authenticate").get(0);
        String credentials = DigestAnswer.answer(offer, "REGISTER", requestUri(), user(aor), passwords.get(user(aor)), 1);

        Response first = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300)
                .header("Authorization", credentials).send();
        Response replay = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(600)
                .header("Authorization", credentials).send();

        assertEquals(200, first.getStatusCode());
        assertEquals(401, replay.getStatusCode());
        assertTrue(headers(replay, "WWW-Authenticate").stream().allMatch(h -> h.contains("stale=true")), replay.toString());
        String next = DigestAnswer.answer(offer, "REGISTER", requestUri(), user(aor), passwords.get(user(aor)), 2);
        Response again = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300)
                .header("Authorization", next).send();
        assertEquals(200, again.getStatusCode(), "the next nonce count is accepted");
    }

    @Test
    void theTwoHundredNeverShowsThePushToken() {
        String aor = subscriber("t");
        String pn = ";pn-provider=apns;pn-prid=" + TOKEN + ";pn-param=ABCDE12345.com.example.phone.voip";
        Response ok = register(phone("t"), aor, pn);

        assertEquals(200, ok.getStatusCode());
        assertFalse(ok.toString().contains(TOKEN.substring(6)), ok.toString());
        assertFalse(ok.toString().contains("pn-prid"), ok.toString());
        assertEquals(TOKEN, rows.of(aor).get(0).pushToken(), "the token itself is stored");
    }

    @Test
    void aTrustedPeersInviteIsRoutedWithoutAChallenge() {
        String callee = subscriber("callee");
        SipPhone awake = phone("awake");
        assertEquals(200, register(awake, callee, "").getStatusCode());
        SipPhone pbx = phone("pbx", TRUSTED);

        SipPhone.Sent invite = pbx.invite("sip:someone@pbx.example.org", callee, Deployments.sipPort(), "udp");
        RequestEvent incoming = awake.awaitRequest("INVITE", WAIT);

        Calls.answerAndHangUp(pbx, invite, awake, incoming, WAIT);
    }

    @Test
    void anUntrustedCallerIsChallengedThenCallsWithOnePush() {
        String callee = subscriber("sleeper");
        String caller = subscriber("caller");
        String pn = ";pn-provider=apns;pn-prid=" + TOKEN + UUID.randomUUID().toString().substring(0, 4)
                + ";pn-param=ABCDE12345.com.example.phone.voip";
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, callee, pn).getStatusCode());
        asleep.close();
        SipPhone callerPhone = phone("caller");

        SipPhone.Sent first = callerPhone.invite(caller, callee, Deployments.sipPort(), "udp");
        Response challenge = first.join(WAIT);
        assertEquals(407, challenge.getStatusCode());
        String offer = headers(challenge, "Proxy-Authenticate").get(0);
        Request invite = first.transaction().getRequest();
        SipPhone.Sent second = callerPhone.resend(invite, "Proxy-Authorization", DigestAnswer.answer(offer, "INVITE",
                invite.getRequestURI().toString(), user(caller), passwords.get(user(caller)), 1));

        String push = pushes.awaitPush(WAIT);
        assertTrue(push.contains("\"call-id\":\"" + Calls.callId(invite) + "\""), push);
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, callee, pn).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
        Calls.answerAndHangUp(callerPhone, second, woken, incoming, WAIT);
        assertEquals(0, pushes.pending(), "one push for the call, none for the challenged INVITE");
    }

    @Test
    void aCallerWithoutCredentialsNeverReachesTheCallee() {
        String callee = subscriber("callee");
        SipPhone awake = phone("awake");
        assertEquals(200, register(awake, callee, "").getStatusCode());

        Response answer = phone("stranger").invite("sip:stranger@elsewhere.example.org", callee, Deployments.sipPort(), "udp")
                .join(WAIT);

        assertEquals(403, answer.getStatusCode(), "a caller of a foreign domain must come through a trusted peer");
    }

    @Test
    void aFloodFromOneSourceIsLimitedWhileAnotherSourceStillRegisters() throws Exception {
        SipPhone flooder = phone("flooder", "127.0.0.4");
        List<SipPhone.Sent> sent = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            Request options = flooder.parse("OPTIONS sip:127.0.0.1:" + Deployments.sipPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.4:" + flooder.port() + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + "\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:flood@127.0.0.4>;tag=" + i + "\r\nTo: <sip:" + DOMAIN + ">\r\n"
                    + "Call-ID: " + UUID.randomUUID() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            sent.add(flooder.sendAsync(options));
        }
        int limited = 0;
        for (SipPhone.Sent s : sent) {
            Response r = s.join(WAIT);
            if (r.getStatusCode() == 503) {
                limited++;
                Header retryAfter = r.getHeader("Retry-After");
                assertNotNull(retryAfter, "503 carries Retry-After");
            } else {
                assertEquals(200, r.getStatusCode());
            }
        }
        assertTrue(limited >= 50, "at most the burst (60) and what 20/s adds are served; 503s: " + limited);

        String aor = subscriber("other");
        assertEquals(200, register(phone("other", "127.0.0.2"), aor, "").getStatusCode(), "another source is served");
    }

    @Test
    void aHundredInvitesToOneSleepingPhoneAreCappedAndAllAnswered() {
        String callee = subscriber("busy");
        String pn = ";pn-provider=apns;pn-prid=" + TOKEN.substring(8) + UUID.randomUUID().toString().substring(0, 8)
                + ";pn-param=ABCDE12345.com.example.phone.voip";
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, callee, pn).getStatusCode());
        asleep.close();
        SipPhone pbx = phone("pbx", TRUSTED);

        List<SipPhone.Sent> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(pbx.invite("sip:caller" + i + "@pbx.example.org", callee, Deployments.sipPort(), "udp"));
        }
        Map<Integer, Integer> finals = new HashMap<>();
        for (SipPhone.Sent call : calls) {
            finals.merge(call.join(Duration.ofSeconds(PUSH_WAIT + 20)).getStatusCode(), 1, Integer::sum);
        }

        assertEquals(100, finals.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(HELD_PER_USER, finals.getOrDefault(480, 0), "held calls end 480 after the push wait: " + finals);
        assertEquals(100 - HELD_PER_USER, finals.getOrDefault(486, 0), "calls over the per-user cap: 486 at once: " + finals);
        assertEquals(PUSHES_PER_MINUTE, pushes.pending(), "pushes capped per phone and minute");
    }

    @Test
    void moreContactsThanAllowedAreRefusedAndNothingChanges() {
        String aor = subscriber("many");
        for (int i = 0; i < CONTACTS; i++) {
            assertEquals(200, register(phone("c" + i), aor, "").getStatusCode());
        }
        List<BindingRows.Row> before = rows.of(aor);

        Response refused = register(phone("extra"), aor, "");

        assertEquals(403, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("Too many contacts"), refused.getReasonPhrase());
        assertEquals(before, rows.of(aor));
    }

    @Test
    void aCallIdLongerThanTheDatabaseHoldsIsRefusedWith400() {
        String aor = subscriber("long");
        SipPhone phone = phone("long");
        Response challenge = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300).send();
        String offer = headers(challenge, "WWW-Authenticate").get(0);
        String text = phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "").expires(300)
                .header("Authorization", DigestAnswer.answer(offer, "REGISTER", requestUri(), user(aor),
                        passwords.get(user(aor)), 1)).text()
                .replace("Call-ID: " + phone.callId(), "Call-ID: " + "x".repeat(300));

        Response answer = phone.send(phone.parse(text));

        assertEquals(400, answer.getStatusCode());
        assertEquals("Call-ID longer than 255 characters", answer.getReasonPhrase());
        assertTrue(rows.of(aor).isEmpty());
    }
}
