package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sip.message.Response;

import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;

import io.netty.channel.nio.NioEventLoopGroup;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sippush.infrastructure.push.apns.MockApns;
import org.sippush.testsupport.PostgresServer;
import org.sippush.testsupport.SipPhone;

/**
 * {@code /health} as a load balancer sees it (no login): up with PostgreSQL and the SIP connectors,
 * the configured APNs provider's last answer (pushy's mock APNs server), and 503 once PostgreSQL
 * is stopped. The deployment has a PostgreSQL server of its own, which the last test stops.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String VOIP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    static PostgresServer postgres;
    static NioEventLoopGroup group;
    static MockApns apple;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<SipPhone> phones = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        postgres = PostgresServer.start();
        group = new NioEventLoopGroup(1);
        apple = MockApns.start(group);
        Deployments.openAccess();
        Deployments.useDatabase(postgres.jdbcUrl(), postgres.user(), postgres.password());
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
    static void stopPeers() throws Exception {
        for (String key : List.of("apps", "app.phone.id", "app.phone.apns.key-file", "app.phone.apns.team-id",
                "app.phone.apns.key-id", "apns.host", "apns.sandbox-host", "apns.port", "apns.trust-cert", "wait")) {
            System.clearProperty("sippush.push." + key);
        }
        apple.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        postgres.close();
    }

    @AfterEach
    void stopPhones() {
        phones.forEach(SipPhone::close);
    }

    @Test
    @Order(1)
    void upWithTheDatabaseAndSipAndNoPushYet() throws Exception {
        HttpResponse<String> health = health();
        assertEquals(200, health.statusCode(), health.body());
        assertAll(
                () -> assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json")),
                () -> assertTrue(health.body().startsWith("{\"status\":\"up\",\"database\":{\"reachable\":true}"), health.body()),
                () -> assertTrue(health.body().contains("\"sip\":{\"listening\":true"), health.body()),
                () -> assertTrue(health.body().contains("\"port\":" + Deployments.sipPort() + ",\"listening\":true"),
                        health.body()),
                () -> assertTrue(health.body().contains("\"pushProviders\":{\"apns\":{\"last\":null}"), health.body()));
    }

    @Test
    @Order(2)
    void showsWhatApnsAnsweredLastWithoutFailing() throws Exception {
        apple.answerWith(push -> {
            throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
        });
        try {
            pushOnce();
            HttpResponse<String> rejected = Awaits.until(this::healthQuietly,
                    h -> h.body().contains("\"apns\":{\"last\":\"rejected\""), WAIT);
            assertEquals(200, rejected.statusCode(), "a provider's refusal does not take the node out: " + rejected.body());
            assertTrue(rejected.body().contains("\"reason\":\"APNs 400 BadDeviceToken\""), rejected.body());
        } finally {
            apple.reset();
        }
        pushOnce();
        HttpResponse<String> accepted = Awaits.until(this::healthQuietly,
                h -> h.body().contains("\"apns\":{\"last\":\"accepted\""), WAIT);
        assertEquals(200, accepted.statusCode(), accepted.body());
    }

    @Test
    @Order(3)
    void downWhenTheDatabaseIsStopped() throws Exception {
        postgres.close();

        long started = System.nanoTime();
        HttpResponse<String> down = Awaits.until(this::healthQuietly, h -> h.statusCode() == 503, WAIT);
        assertAll(
                () -> assertTrue(down.body().startsWith("{\"status\":\"down\",\"database\":{\"reachable\":false}"), down.body()),
                () -> assertTrue(down.body().contains("\"sip\":{\"listening\":true"), "SIP still listens: " + down.body()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 10_000, "the load balancer hears of it within seconds, not the pool's 30 s: " + millis + " ms");
        HttpResponse<String> again = health();
        assertEquals(503, again.statusCode(), again.body());
    }

    /** A call to a sleeping iPhone: one push to the mock APNs server (the call then times out: nobody wakes). */
    private void pushOnce() throws InterruptedException {
        String callee = "sip:h" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        SipPhone asleep = SipPhone.start("asleep");
        try {
            Response ok = asleep.register(callee, Deployments.sipPort(), "udp").contactHere("", "")
                    .header("X-Push", "device-os=ios;device-uid=" + VOIP + ";allow-call-push=true;allow-message-push=true;app-id="
                            + MockApns.APP)
                    .expires(300).send();
            assertEquals(200, ok.getStatusCode(), ok.toString());
        } finally {
            asleep.close();
        }
        SipPhone caller = SipPhone.start("caller");
        phones.add(caller);
        caller.invite("sip:alice@example.test", callee, Deployments.sipPort(), "udp");
        apple.next();
    }

    private HttpResponse<String> health() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Integer.getInteger("it.http.port")
                        + "/sip-push-server/health")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> healthQuietly() {
        try {
            return health();
        } catch (Exception e) {
            throw new AssertionError("GET /health failed", e);
        }
    }
}
