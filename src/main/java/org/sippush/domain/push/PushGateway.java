package org.sippush.domain.push;

import java.util.concurrent.CompletableFuture;

/**
 * A push provider (APNs, FCM, a relay, the log), behind one port. Implementations never block the
 * caller: the future completes on the provider's own threads, with an {@link PushOutcome} (never
 * exceptionally).
 */
public interface PushGateway extends AutoCloseable {

    CompletableFuture<PushOutcome> send(PushMessage message);

    /** A short name for logs and status. */
    String name();

    @Override
    default void close() {
    }
}
