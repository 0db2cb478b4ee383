package org.sippush.interfaces.sip;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** Waiting, while the server stops, for the work under way to end. */
final class Drain {

    private Drain() {
    }

    /** Waits until {@code left} is 0 or {@code deadlineNanos} ({@link System#nanoTime()}) passes; returns what is left. */
    static long awaitNone(LongSupplier left, long deadlineNanos) {
        while (left.getAsLong() > 0 && System.nanoTime() < deadlineNanos) {
            LockSupport.parkNanos(10_000_000L);
        }
        return Math.max(0, left.getAsLong());
    }
}
