package org.sippush.application.auth;

import java.util.concurrent.TimeUnit;

/**
 * What one source, one phone or one user may take of the server.
 *
 * @param requestsPerSource   new requests per second from one source address (null: no limit)
 * @param pushesPerDevice     pushes per minute to one phone (null: no limit)
 * @param heldCallsPerUser    most calls held at once for one user
 * @param heldCalls           most calls held at once in all
 */
public record Limits(RateLimiter requestsPerSource, RateLimiter pushesPerDevice, int heldCallsPerUser, int heldCalls) {

    public Limits {
        if (heldCallsPerUser < 1 || heldCalls < 1) {
            throw new IllegalArgumentException("limits.held-calls-per-user and limits.held-calls must be at least 1");
        }
    }

    /** Limits from the settings' numbers; a rate of 0 or less means no limit. */
    public static Limits of(int requestsPerSecond, int requestBurst, int pushesPerMinute, int heldCallsPerUser,
                            int heldCalls) {
        RateLimiter requests = requestsPerSecond <= 0 ? null
                : new RateLimiter(requestsPerSecond, TimeUnit.SECONDS.toNanos(1), Math.max(requestBurst, 1), System::nanoTime);
        RateLimiter pushes = pushesPerMinute <= 0 ? null
                : new RateLimiter(pushesPerMinute, TimeUnit.MINUTES.toNanos(1), pushesPerMinute, System::nanoTime);
        return new Limits(requests, pushes, heldCallsPerUser, heldCalls);
    }

    public boolean allowRequestFrom(String source) {
        return requestsPerSource == null || requestsPerSource.tryAcquire(source);
    }

    public boolean allowPushTo(String pushIdentity) {
        return pushesPerDevice == null || pushesPerDevice.tryAcquire(pushIdentity);
    }
}
