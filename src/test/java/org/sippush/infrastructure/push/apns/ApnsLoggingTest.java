package org.sippush.infrastructure.push.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.apache.log4j.spi.ThrowableInformation;
import org.junit.jupiter.api.Test;
import org.sippush.domain.binding.PushProvider;

/** Tokens are credentials of a phone: no full token in any log line at INFO or above. */
class ApnsLoggingTest {

    private static final class Capture extends AppenderSkeleton {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(LoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.INFO)) {
                ThrowableInformation thrown = event.getThrowableInformation();
                lines.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getRenderedMessage()
                        + (thrown == null ? "" : String.join("\n", thrown.getThrowableStrRep())));
            }
        }

        @Override
        public void close() {
        }

        @Override
        public boolean requiresLayout() {
            return false;
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void noLogLineAtInfoOrAboveHoldsAFullToken() throws Exception {
        Capture capture = new Capture();
        Logger.getRootLogger().addAppender(capture);
        EventLoopGroup serverGroup = new NioEventLoopGroup(1);
        String gone = ApnsGatewayTest.newToken();
        String badTopic = ApnsGatewayTest.newToken();
        String busy = ApnsGatewayTest.newToken();
        String unknownApp = ApnsGatewayTest.newToken();
        try (MockApns apns = MockApns.start(serverGroup);
             ApnsGateway gateway = ApnsGateway.builder()
                     .app(MockApns.APP, MockApns.signingKey())
                     .productionHost(apns.hostAndPort())
                     .trustedServerCertificate(MockApns.fixture("ca.pem"))
                     .build()) {
            apns.answerWith(push -> {
                String path = push.header(":path");
                if (path.endsWith(gone)) {
                    throw new UnregisteredDeviceTokenException(Instant.now());
                } else if (path.endsWith(badTopic)) {
                    throw new RejectedNotificationException(RejectionReason.BAD_TOPIC);
                } else if (path.endsWith(busy)) {
                    throw new RejectedNotificationException(RejectionReason.SERVICE_UNAVAILABLE);
                }
            });
            for (String token : List.of(gone, badTopic, busy)) {
                ApnsGatewayTest.outcome(gateway.send(ApnsGatewayTest.call(token)));
            }
            ApnsGatewayTest.outcome(gateway.send(ApnsGatewayTest.call(PushProvider.APNS, "com.example.unknown",
                    unknownApp, "c", Instant.now().plusSeconds(30))));
        } finally {
            Logger.getRootLogger().removeAppender(capture);
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }

        assertTrue(capture.lines.stream().anyMatch(line -> line.contains("the token is gone")), capture.lines.toString());
        assertTrue(capture.lines.stream().anyMatch(line -> line.contains("BadTopic")), capture.lines.toString());
        for (String token : List.of(gone, badTopic, busy, unknownApp)) {
            for (String line : capture.lines) {
                assertFalse(line.contains(token), "a full token in: " + line);
                assertFalse(line.contains(token.substring(0, 20)), "a token prefix longer than the mask in: " + line);
            }
        }
        assertEquals(1, capture.lines.stream().filter(line -> line.contains(gone.substring(0, 6) + "…")).count(),
                capture.lines.toString());
    }
}
