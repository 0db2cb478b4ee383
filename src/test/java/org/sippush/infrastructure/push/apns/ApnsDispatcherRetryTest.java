package org.sippush.infrastructure.push.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sippush.application.PushDispatcher;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.sippush.infrastructure.push.LoggingPushGateway;

/** APNs' transient answers (503) through the application's {@link PushDispatcher}: retried within the push wait. */
class ApnsDispatcherRetryTest {

    private EventLoopGroup serverGroup;
    private MockApns apns;
    private PushDispatcher dispatcher;
    private final AtomicInteger attempts = new AtomicInteger();

    @BeforeEach
    @SuppressWarnings("deprecation")
    void start() throws Exception {
        serverGroup = new NioEventLoopGroup(1);
        apns = MockApns.start(serverGroup);
        ApnsGateway gateway = ApnsGateway.builder()
                .app(MockApns.APP, MockApns.signingKey())
                .productionHost(apns.hostAndPort())
                .sandboxHost(apns.hostAndPort())
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .ioThreads(1)
                .build();
        dispatcher = new PushDispatcher(Map.of(PushProvider.APNS, gateway, PushProvider.APNS_SANDBOX, gateway),
                new LoggingPushGateway(), 2, 100, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        dispatcher.close();
        apns.close();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private void answer503ForTheFirst(int unavailable) {
        apns.answerWith(push -> {
            if (attempts.incrementAndGet() <= unavailable) {
                throw new RejectedNotificationException(RejectionReason.SERVICE_UNAVAILABLE);
            }
        });
    }

    @Test
    void twoServiceUnavailableAnswersAreRetriedUntilAccepted() throws Exception {
        answer503ForTheFirst(2);
        PushMessage message = ApnsGatewayTest.call(PushProvider.APNS, MockApns.APP, ApnsGatewayTest.newToken(),
                "retry-1", Instant.now().plusSeconds(30));

        PushOutcome outcome = dispatcher.dispatch(message).get(15, TimeUnit.SECONDS);

        assertInstanceOf(PushOutcome.Accepted.class, outcome);
        assertEquals(3, attempts.get());
        for (int i = 0; i < 3; i++) {
            assertEquals("/3/device/" + message.token(), apns.next().header(":path"));
        }
    }

    @Test
    void anApnsThatStaysUnavailableFailsOnceThePushWaitIsOver() throws Exception {
        answer503ForTheFirst(Integer.MAX_VALUE);
        Instant expiresAt = Instant.now().plusSeconds(2);
        PushMessage message = ApnsGatewayTest.call(PushProvider.APNS_SANDBOX, MockApns.APP, ApnsGatewayTest.newToken(),
                "retry-2", expiresAt);

        PushOutcome outcome = dispatcher.dispatch(message).get(15, TimeUnit.SECONDS);
        Instant finished = Instant.now();

        PushOutcome.Failed failed = assertInstanceOf(PushOutcome.Failed.class, outcome);
        assertEquals("APNs 503 ServiceUnavailable", failed.reason());
        assertTrue(attempts.get() >= 2, "retried: " + attempts.get() + " attempts");
        assertFalse(finished.isAfter(expiresAt.plusMillis(500)), "gave up within the push wait, at " + finished);
    }
}
