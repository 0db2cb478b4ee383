package org.sippush.application;

import java.util.Arrays;

/**
 * The last {@value #CAPACITY} samples of a latency, in microseconds, and their percentiles.
 * Cheap enough to record on the SIP path (one synchronized array store).
 */
public final class LatencyRecorder {

    static final int CAPACITY = 1 << 16;

    private final long[] samples = new long[CAPACITY];
    private long count;

    public synchronized void record(long micros) {
        samples[(int) (count++ % CAPACITY)] = micros;
    }

    /** {count, p50, p99, p99.9, max} of the samples kept; zeros when there are none. */
    public synchronized long[] snapshot() {
        int n = (int) Math.min(count, CAPACITY);
        if (n == 0) {
            return new long[5];
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return new long[] {count, at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted[n - 1]};
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
