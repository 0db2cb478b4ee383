package org.sippush.it;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting on a condition with a timeout, polling with a short back-off: never a fixed sleep. */
final class Awaits {

    private Awaits() {
    }

    static <T> T until(Supplier<T> probe, Predicate<T> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Condition not reached within " + timeout + "; last value: " + last);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            pause = Math.min(pause * 2, 250);
            last = probe.get();
        }
        return last;
    }
}
