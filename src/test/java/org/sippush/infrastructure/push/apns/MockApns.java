package org.sippush.infrastructure.push.apns;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import io.netty.channel.EventLoopGroup;

/**
 * pushy's mock APNs server over TLS on a free port, with a handler that records every push it gets
 * (headers, payload, the TLS connection and client certificate it came on) and answers as the test
 * scripts it. The credentials are the fixtures in {@code src/test/resources/apns} (see generate.sh).
 */
public final class MockApns implements AutoCloseable {

    public static final String APP = "com.example.phone";
    public static final String TEAM_ID = "TEAMID1234";
    public static final String KEY_ID = "KEYID56789";
    static final String P12_PASSWORD = "pushy-test";

    /** One push as the server saw it. */
    public record Received(Map<String, String> headers, String payload, int connection, String clientSubject) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** Answers a push: return to accept, throw to reject. Runs on the server's event loop. */
    public interface Responder {
        void answer(Received push) throws RejectedNotificationException;
    }

    private final MockApnsServer server;
    private final int port;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Responder responder = push -> { };

    private MockApns(EventLoopGroup group, String trustedClientCertificates) throws Exception {
        MockApnsServerBuilder builder = new MockApnsServerBuilder()
                .setServerCredentials(fixture("server.pem").toFile(), fixture("server.key").toFile(), null)
                .setEventLoopGroup(group)
                .setHandlerFactory(this::handlerFor);
        if (trustedClientCertificates != null) {
            builder.setTrustedClientCertificateChain(fixture(trustedClientCertificates).toFile());
        }
        this.server = builder.build();
        this.port = server.start(0).get(10, TimeUnit.SECONDS);
    }

    /** A server for token authentication (it does not ask for client certificates). */
    public static MockApns start(EventLoopGroup group) throws Exception {
        return new MockApns(group, null);
    }

    /** A server that validates the client certificates against the test CA. */
    static MockApns startTrustingClientCertificates(EventLoopGroup group) throws Exception {
        return new MockApns(group, "ca.pem");
    }

    /** A server that validates client certificates against the certificates in one fixture file. */
    static MockApns startTrusting(EventLoopGroup group, String pemFixture) throws Exception {
        return new MockApns(group, pemFixture);
    }

    public static Path fixture(String name) {
        try {
            return Path.of(MockApns.class.getResource("/apns/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test fixture apns/" + name + " missing", e);
        }
    }

    static ApnsCredentials signingKey() {
        return ApnsCredentials.signingKey(fixture("signing-key.p8"), TEAM_ID, KEY_ID);
    }

    static ApnsCredentials certificate() {
        return ApnsCredentials.certificate(fixture("client.p12"), P12_PASSWORD);
    }

    private com.eatthepath.pushy.apns.server.PushNotificationHandler handlerFor(SSLSession session) {
        int connection = connections.incrementAndGet();
        String subject = clientSubject(session);
        return (headers, payload) -> {
            Map<String, String> copy = new LinkedHashMap<>();
            headers.forEach(h -> copy.put(h.getKey().toString(), h.getValue().toString()));
            Received push = new Received(copy, payload == null ? "" : payload.toString(StandardCharsets.UTF_8),
                    connection, subject);
            received.add(push);
            responder.answer(push);
        };
    }

    private static String clientSubject(SSLSession session) {
        try {
            return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}: a host setting that points an {@link ApnsGateway} here. */
    String hostAndPort() {
        return "127.0.0.1:" + port;
    }

    public void answerWith(Responder responder) {
        this.responder = responder;
    }

    /** The next push this server receives, waiting at most 5 s. */
    public Received next() throws InterruptedException {
        Received push = received.poll(5, TimeUnit.SECONDS);
        if (push == null) {
            throw new AssertionError("the mock APNs server on port " + port + " received no push");
        }
        return push;
    }

    /** The push already received, if any (does not wait). */
    public Received poll() {
        return received.poll();
    }

    int connections() {
        return connections.get();
    }

    /** Forgets what was received and accepts everything again. */
    public void reset() {
        received.clear();
        responder = push -> { };
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
    }
}
