package org.sippush.application.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a source address, a phone's push identity): {@code rate} tokens per
 * {@code perNanos}, at most {@code burst} saved up. Buckets that have refilled are forgotten, so
 * memory follows the keys active in the last few seconds, not every key ever seen.
 */
public final class RateLimiter {

    /** Keys tracked at most; past it, full buckets are swept out. */
    static final int SWEEP_ABOVE = 100_000;

    private final double tokensPerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger sinceSweep = new AtomicInteger();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /**
     * @param rate     tokens added per {@code perNanos}
     * @param perNanos the period of {@code rate}, in nanoseconds
     * @param burst    most tokens saved up (and the first requests of a new key)
     */
    public RateLimiter(double rate, long perNanos, double burst, LongSupplier nanoTime) {
        if (rate <= 0 || perNanos <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate and period must be positive and burst at least 1");
        }
        this.tokensPerNano = rate / perNanos;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** Takes one token of {@code key}'s bucket; false when it is empty (over the limit). */
    public boolean tryAcquire(String key) {
        long now = nanoTime.getAsLong();
        sweep(now);
        boolean[] granted = {false};
        buckets.compute(key, (k, bucket) -> {
            if (bucket == null) {
                bucket = new Bucket(burst, now);
            } else {
                bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * tokensPerNano);
                bucket.at = now;
            }
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                granted[0] = true;
            }
            return bucket;
        });
        return granted[0];
    }

    /** Whole seconds until {@code key} has a token again (at least 1), for a Retry-After. */
    public long secondsUntilNext() {
        return Math.max(1, (long) Math.ceil(1 / tokensPerNano / 1e9));
    }

    int tracked() {
        return buckets.size();
    }

    private void sweep(long now) {
        if (buckets.size() < SWEEP_ABOVE || sinceSweep.incrementAndGet() < 1_000) {
            return;
        }
        sinceSweep.set(0);
        for (String key : buckets.keySet()) {
            buckets.computeIfPresent(key, (k, bucket) ->
                    bucket.tokens + (now - bucket.at) * tokensPerNano >= burst ? null : bucket);
        }
    }
}
