package org.sippush.application;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gauges and counters of calls, for the status page and the tests that check nothing leaks. One
 * instance per deployment, owned by {@link Services}; the container's listeners reach it through
 * the application's servlet context. It also holds the snapshots of the calls held now and passes
 * what the SIP side sees to the metrics ({@link org.sippush.application.ops.Observations}).
 */
public final class CallMetrics {

    private final AtomicLong held = new AtomicLong();
    private final AtomicLong applicationSessions = new AtomicLong();
    private final LongAdder heldTotal = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder timedOut = new LongAdder();

    /** Time from a woken phone's REGISTER reaching the application to its held INVITE being sent. */
    private final LatencyRecorder wakeDelivery;
    private final org.sippush.application.ops.HeldCallsNow heldCalls = new org.sippush.application.ops.HeldCallsNow();
    private final org.sippush.application.ops.Observations observations;

    public CallMetrics() {
        this(org.sippush.application.ops.Observations.NONE);
    }

    public CallMetrics(org.sippush.application.ops.Observations observations) {
        this.observations = java.util.Objects.requireNonNull(observations, "observations must not be null");
        this.wakeDelivery = new LatencyRecorder(observations::wakeDelivery);
    }

    /** The calls held now, as the call path last published them. */
    public org.sippush.application.ops.HeldCallsNow heldCalls() {
        return heldCalls;
    }

    /** The application sent (or relayed) a response of {@code status} to a {@code method} request. */
    public void sipResponse(String method, int status) {
        observations.sipResponse(method, status);
    }

    /** A REGISTER was answered: {@code registered}, {@code refused} or {@code interval-too-brief}. */
    public void registration(String result) {
        observations.registration(result);
    }

    public void held() {
        held.incrementAndGet();
        heldTotal.increment();
    }

    public void released() {
        held.decrementAndGet();
    }

    public void delivered() {
        delivered.increment();
    }

    public void timedOut() {
        timedOut.increment();
    }

    public void sessionCreated() {
        applicationSessions.incrementAndGet();
    }

    public void sessionDestroyed() {
        applicationSessions.decrementAndGet();
    }

    public long heldNow() {
        return held.get();
    }

    public long applicationSessions() {
        return applicationSessions.get();
    }

    public long heldTotal() {
        return heldTotal.sum();
    }

    public long deliveredTotal() {
        return delivered.sum();
    }

    public long timedOutTotal() {
        return timedOut.sum();
    }

    public LatencyRecorder wakeDelivery() {
        return wakeDelivery;
    }
}
