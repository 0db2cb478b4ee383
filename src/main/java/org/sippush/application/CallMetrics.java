package org.sippush.application;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gauges and counters of calls, for the status page and the tests that check nothing leaks.
 * One per JVM: the container creates its listeners itself, so they reach it statically.
 */
public final class CallMetrics {

    private static final AtomicLong HELD = new AtomicLong();
    private static final AtomicLong APPLICATION_SESSIONS = new AtomicLong();
    private static final LongAdder HELD_TOTAL = new LongAdder();
    private static final LongAdder DELIVERED = new LongAdder();
    private static final LongAdder TIMED_OUT = new LongAdder();

    /** Time from a woken phone's REGISTER reaching the application to its held INVITE being sent. */
    public static final LatencyRecorder WAKE_DELIVERY = new LatencyRecorder();

    private CallMetrics() {
    }

    public static void held() {
        HELD.incrementAndGet();
        HELD_TOTAL.increment();
    }

    public static void released() {
        HELD.decrementAndGet();
    }

    public static void delivered() {
        DELIVERED.increment();
    }

    public static void timedOut() {
        TIMED_OUT.increment();
    }

    public static void sessionCreated() {
        APPLICATION_SESSIONS.incrementAndGet();
    }

    public static void sessionDestroyed() {
        APPLICATION_SESSIONS.decrementAndGet();
    }

    public static long heldNow() {
        return HELD.get();
    }

    public static long applicationSessions() {
        return APPLICATION_SESSIONS.get();
    }

    public static long heldTotal() {
        return HELD_TOTAL.sum();
    }

    public static long deliveredTotal() {
        return DELIVERED.sum();
    }

    public static long timedOutTotal() {
        return TIMED_OUT.sum();
    }
}
