package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.SipPhone;

/**
 * 1,000 calls held at once for 1,000 sleeping phones, none of which wakes: every caller gets 480
 * after the push wait, and then every held call, timer and SipApplicationSession is gone.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HeldCallsReleaseIT {

    static final int CALLS = 1000;
    static final Duration PUSH_WAIT = Duration.ofSeconds(5);
    static final String PN = ";pn-provider=fcm;pn-prid=token-%d;pn-param=release-test";

    @Deployment(testable = false)
    static WebArchive deployment() {
        Deployments.openAccess();
        Deployments.useH2("release");
        System.setProperty("sippush.push.wait", Long.toString(PUSH_WAIT.toSeconds()));
        return Deployments.war();
    }

    @AfterAll
    static void clear() {
        System.clearProperty("sippush.push.wait");
    }

    static long status(String field) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + Integer.getInteger("it.http.port") + "/sip-push-server/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(body);
            if (!m.find()) {
                throw new AssertionError("no " + field + " in " + body);
            }
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void thousandHeldCallsAreAllAnswered480AndReleased() {
        int dead = FreePorts.tcp();  // nothing listens here: the phones' apps were killed
        try (SipPhone phones = SipPhone.start("registrar-of-1000"); SipPhone caller = SipPhone.start("caller")) {
            for (int i = 0; i < CALLS; i++) {
                String aor = "sip:sleeper" + i + "@example.test";
                assertEquals(200, phones.register(aor, Deployments.sipPort(), "udp")
                        .contact("<sip:sleeper" + i + "@127.0.0.1:" + dead + ";transport=tcp" + String.format(PN, i) + ">")
                        .expires(600).send().getStatusCode());
                phones.restart();
            }
            long heldBefore = status("heldCalls");
            long timedOutBefore = status("timedOut");

            List<SipPhone.Sent> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(caller.invite("sip:alice@example.test", "sip:sleeper" + i + "@example.test",
                        Deployments.sipPort(), "udp"));
            }
            Awaits.until(() -> status("heldCallsTotal"), n -> n >= CALLS, Duration.ofSeconds(60));
            for (SipPhone.Sent call : calls) {
                assertEquals(480, call.join(PUSH_WAIT.plusSeconds(60)).getStatusCode());
            }

            assertEquals(heldBefore, Awaits.until(() -> status("heldCalls"), n -> n == heldBefore, Duration.ofSeconds(30)));
            assertEquals(CALLS, status("timedOut") - timedOutBefore);
            // every SipApplicationSession of those calls (with its push-wait timer) is invalidated
            Awaits.until(() -> status("applicationSessions"), n -> n <= 2, Duration.ofSeconds(90));
        }
    }
}
