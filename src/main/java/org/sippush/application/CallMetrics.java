package org.sippush.application;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gauges and counters of calls, for the status page and the tests that check nothing leaks. One
 * instance per deployment, owned by {@link Services}; the container's listeners reach it through
 * the application's servlet context.
 */
public final class CallMetrics {

    private final AtomicLong held = new AtomicLong();
    private final AtomicLong applicationSessions = new AtomicLong();
    private final LongAdder heldTotal = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder timedOut = new LongAdder();

    /** Time from a woken phone's REGISTER reaching the application to its held INVITE being sent. */
    private final LatencyRecorder wakeDelivery = new LatencyRecorder();

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
