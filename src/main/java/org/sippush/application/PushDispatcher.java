package org.sippush.application;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.push.PushGateway;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pushes off the container's threads. The design card's asynchronous bean: a bounded pool,
 * a {@link CompletableFuture} of the outcome per push, never blocking the caller. A transient
 * failure is retried with exponential back-off as long as the push is still useful (before its
 * {@link PushMessage#expiresAt()}).
 */
public final class PushDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushDispatcher.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration MAX_RETRY = Duration.ofSeconds(8);

    private final Map<PushProvider, PushGateway> gateways;
    private final PushGateway fallback;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService retries;
    private final Clock clock;
    private final java.util.function.Consumer<PushOutcome.Rejected> onTokenGone;
    private final LongAdder sent = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final org.sippush.application.ops.PushLog log;
    private final org.sippush.application.ops.Observations observations;

    /** A dispatcher that only reports dead tokens in the outcome (nothing to clean up). */
    public PushDispatcher(Map<PushProvider, PushGateway> gateways, PushGateway fallback, int threads, int queue,
                          Clock clock) {
        this(gateways, fallback, threads, queue, clock, rejected -> { });
    }

    /**
     * @param gateways the gateway of each provider; providers without one use {@code fallback}
     * @param threads  worker threads (payload, lookup, outcome handling)
     * @param queue    pushes waiting for a worker before new ones are refused as failed
     * @param onTokenGone run on a worker (it may touch the database) when a provider says a
     *                    token is dead, before the outcome is returned
     */
    public PushDispatcher(Map<PushProvider, PushGateway> gateways, PushGateway fallback, int threads, int queue,
                          Clock clock, java.util.function.Consumer<PushOutcome.Rejected> onTokenGone) {
        this(gateways, fallback, threads, queue, clock, onTokenGone, org.sippush.application.ops.Observations.NONE);
    }

    /** @param observations told of every push's final outcome (the metrics) */
    public PushDispatcher(Map<PushProvider, PushGateway> gateways, PushGateway fallback, int threads, int queue,
                          Clock clock, java.util.function.Consumer<PushOutcome.Rejected> onTokenGone,
                          org.sippush.application.ops.Observations observations) {
        this.observations = Objects.requireNonNull(observations, "observations must not be null");
        this.log = new org.sippush.application.ops.PushLog(clock);
        this.onTokenGone = Objects.requireNonNull(onTokenGone, "onTokenGone must not be null");
        this.gateways = new EnumMap<>(PushProvider.class);
        this.gateways.putAll(gateways);
        this.fallback = Objects.requireNonNull(fallback, "fallback gateway must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "sippush-push-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sippush-push-retry");
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends {@code message}; the future completes with its outcome, never exceptionally. */
    public CompletableFuture<PushOutcome> dispatch(PushMessage message) {
        CompletableFuture<PushOutcome> result = new CompletableFuture<>();
        sent.increment();
        attempt(message, FIRST_RETRY, result);
        return result.thenApplyAsync(outcome -> {
            count(outcome);
            // a missed-call notice and a message go to the alert token and topic, which a VoIP-only phone
            // may lack: their rejection says nothing about the token that wakes the phone for calls
            if (outcome instanceof PushOutcome.Rejected rejected && rejected.tokenGone()
                    && message.kind() != PushMessage.Kind.MISSED_CALL && message.kind() != PushMessage.Kind.MESSAGE) {
                try {
                    onTokenGone.accept(rejected);
                } catch (RuntimeException e) {
                    LOG.warn("Could not remove the dead token of push {}", message.pushId(), e);
                }
            }
            return outcome;
        }, command -> {
            try {
                pool.execute(command);
            } catch (RejectedExecutionException e) {
                command.run();  // shutting down or saturated: finish on the completing thread
            }
        });
    }

    private void attempt(PushMessage message, Duration backoff, CompletableFuture<PushOutcome> result) {
        try {
            pool.execute(() -> gatewayFor(message).send(message).whenComplete((outcome, error) -> {
                PushOutcome o = error != null ? new PushOutcome.Failed(message, error.toString(), -1) : outcome;
                if (o instanceof PushOutcome.Failed f && retryable(message, f, backoff)) {
                    long delay = f.retryAfterMillis() > 0 ? f.retryAfterMillis() : backoff.toMillis();
                    LOG.info("Push {} failed ({}); retrying in {} ms", message.pushId(), f.reason(), delay);
                    retries.schedule(() -> attempt(message, min(backoff.multipliedBy(2), MAX_RETRY), result),
                            delay, TimeUnit.MILLISECONDS);
                } else {
                    result.complete(o);
                }
            }));
        } catch (RejectedExecutionException e) {
            result.complete(new PushOutcome.Failed(message, "push dispatcher overloaded", -1));
        }
    }

    private boolean retryable(PushMessage message, PushOutcome.Failed failure, Duration backoff) {
        long delay = failure.retryAfterMillis() > 0 ? failure.retryAfterMillis() : backoff.toMillis();
        return !pool.isShutdown() && clock.millis() + delay < message.expiresAt().toEpochMilli();
    }

    private PushGateway gatewayFor(PushMessage message) {
        return gateways.getOrDefault(message.target().provider(), fallback);
    }

    private void count(PushOutcome outcome) {
        log.record(outcome);
        try {
            observations.pushOutcome(outcome);
        } catch (RuntimeException e) {
            LOG.warn("Push metrics failed", e);
        }
        if (outcome instanceof PushOutcome.Accepted) {
            accepted.increment();
        } else if (outcome instanceof PushOutcome.Rejected) {
            rejected.increment();
        } else {
            failed.increment();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Counters for the status page: sent, accepted, rejected, failed. */
    public long[] counters() {
        return new long[] {sent.sum(), accepted.sum(), rejected.sum(), failed.sum()};
    }

    /** The last push outcomes, for the operator pages and the health check. */
    public org.sippush.application.ops.PushLog log() {
        return log;
    }

    /** The providers that have a gateway of their own (the others go to the fallback: the log or a webhook). */
    public java.util.Set<PushProvider> providers() {
        return java.util.Collections.unmodifiableSet(gateways.keySet());
    }

    @Override
    public void close() {
        retries.shutdownNow();
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateways.values().forEach(PushGateway::close);
        fallback.close();
    }
}
