package org.sippush.infrastructure.push.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.SipPhone;

import io.netty.channel.nio.NioEventLoopGroup;

/**
 * End to end through APNs: the server, configured with a .p8 key for the app, pushes to pushy's
 * mock APNs server over TLS; the test, as the woken iPhone app, re-registers and takes the call.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ApnsWakeUpIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String VOIP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String APNS = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    static NioEventLoopGroup group;
    static MockApns apple;

    final List<SipPhone> phones = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        group = new NioEventLoopGroup(1);
        apple = MockApns.start(group);
        Deployments.openAccess();
        Deployments.useH2("apns-wakeup");
        System.setProperty("sippush.push.apps", "phone");
        System.setProperty("sippush.push.app.phone.id", MockApns.APP);
        System.setProperty("sippush.push.app.phone.apns.key-file", MockApns.fixture("signing-key.p8").toString());
        System.setProperty("sippush.push.app.phone.apns.team-id", MockApns.TEAM_ID);
        System.setProperty("sippush.push.app.phone.apns.key-id", MockApns.KEY_ID);
        System.setProperty("sippush.push.apns.host", "127.0.0.1");
        System.setProperty("sippush.push.apns.sandbox-host", "127.0.0.1");
        System.setProperty("sippush.push.apns.port", Integer.toString(apple.port()));
        System.setProperty("sippush.push.apns.trust-cert", MockApns.fixture("ca.pem").toString());
        System.setProperty("sippush.push.wait", "10");
        return Deployments.war();
    }

    @AfterAll
    static void stopApple() throws Exception {
        for (String key : List.of("apps", "app.phone.id", "app.phone.apns.key-file", "app.phone.apns.team-id",
                "app.phone.apns.key-id", "apns.host", "apns.sandbox-host", "apns.port", "apns.trust-cert", "wait")) {
            System.clearProperty("sippush.push." + key);
        }
        apple.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
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

    static Response register(SipPhone phone, String aor, String appId) {
        return phone.register(aor, Deployments.sipPort(), "udp").contactHere("", "")
                .header("X-Push", "device-os=ios;device-uid=" + VOIP + "|" + APNS
                        + ";allow-call-push=true;allow-message-push=true;app-id=" + appId)
                .expires(300).send();
    }

    @Test
    void callWakesTheIPhoneThroughApnsAndReachesItAtItsNewAddress() throws Exception {
        String callee = "sip:ios" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, callee, MockApns.APP).getStatusCode());
        asleep.close();
        SipPhone caller = phone("caller");

        SipPhone.Sent invite = caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
        MockApns.Received push = apple.next();

        String callId = Calls.callId(invite.transaction().getRequest());
        assertEquals("voip", push.header("apns-push-type"));
        assertEquals(MockApns.APP + ".voip", push.header("apns-topic"));
        assertEquals("10", push.header("apns-priority"));
        assertEquals(callId, push.header("apns-collapse-id"));
        assertTrue(push.header(":path").endsWith("/3/device/" + VOIP), push.header(":path"));
        assertTrue(push.header("authorization").startsWith("bearer "), "token authentication");
        assertTrue(push.payload().contains("\"call-id\":\"" + callId + "\""), push.payload());

        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, callee, MockApns.APP).getStatusCode());
        RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
        assertEquals(callId, Calls.callId(incoming.getRequest()));
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);
    }

    @Test
    void phoneOfAnAppWithoutCredentialsIsRefusedAtRegistration() {
        String aor = "sip:other" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        SipPhone phone = phone("other-app");

        Response refused = register(phone, aor, "com.example.unknown");

        assertEquals(555, refused.getStatusCode());
        assertTrue(refused.getReasonPhrase().contains("com.example.unknown"), refused.getReasonPhrase());
        Response query = phone.register(aor, Deployments.sipPort(), "udp").send();
        assertEquals(200, query.getStatusCode());
        assertEquals(null, query.getHeader("Contact"), "nothing stored");
    }
}
