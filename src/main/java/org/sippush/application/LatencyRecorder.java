package org.sippush.application;

import java.util.Arrays;

/**
 * The last {@value #CAPACITY} samples of a latency, in microseconds, and their percentiles.
 * Cheap enough to record on the SIP path (one synchronized array store).
 */
public final class LatencyRecorder {

    static final int CAPACITY = 1 << 16;

    private final long[] samples = new long[CAPACITY];
    private final java.util.function.LongConsumer alsoTo;
    private long count;

    public LatencyRecorder() {
        this(micros -> { });
    }

    /** @param alsoTo told of every sample too (the metrics' histogram) */
    public LatencyRecorder(java.util.function.LongConsumer alsoTo) {
        this.alsoTo = java.util.Objects.requireNonNull(alsoTo, "alsoTo must not be null");
    }

    public void record(long micros) {
        synchronized (this) {
            samples[(int) (count++ % CAPACITY)] = micros;
        }
        alsoTo.accept(micros);
    }

    /** {count, p50, p99, p99.9, max} of the samples kept; zeros when there are none. */
    public synchronized long[] snapshot() {
        return snapshotSince(0);
    }

    /**
     * The same over the samples recorded after the first {@code since} (for example after a
     * benchmark's warm-up), as far as they are still kept; {count} is the total count.
     */
    public synchronized long[] snapshotSince(long since) {
        long first = Math.max(Math.max(0, since), count - CAPACITY);
        int n = (int) Math.max(0, count - first);
        if (n == 0) {
            long[] none = new long[5];
            none[0] = count;
            return none;
        }
        long[] sorted = new long[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = samples[(int) ((first + i) % CAPACITY)];
        }
        Arrays.sort(sorted);
        return new long[] {count, at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted[n - 1]};
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
