package org.sippush.infrastructure.push;

import java.util.concurrent.CompletableFuture;

import org.sippush.domain.push.PushGateway;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default provider until APNs/FCM credentials are configured: logs each push (token masked). */
public final class LoggingPushGateway implements PushGateway {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingPushGateway.class);

    @Override
    public CompletableFuture<PushOutcome> send(PushMessage message) {
        LOG.info("Push not sent (no provider configured): {} payload {}", message, message.payloadJson());
        return CompletableFuture.completedFuture(new PushOutcome.Accepted(message, "logged"));
    }

    @Override
    public String name() {
        return "log";
    }
}
