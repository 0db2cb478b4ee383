package org.sippush.application.message;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import org.sippush.domain.binding.PushSettings;

/**
 * The settings of stored messages (README, "Messages to sleeping phones").
 *
 * @param expiry        how long a message waits for its devices before it is deleted undelivered
 * @param maxPerUser    messages waiting for one user; one more is refused with 486
 * @param maxBodyBytes  the largest body accepted; a larger one is refused with 413
 * @param previewLength characters of the text a phone of that app is shown in the push (0: no preview)
 * @param highPriority  whether a phone of that app gets message pushes at FCM high priority
 */
public record MessagePolicy(Duration expiry, int maxPerUser, int maxBodyBytes, ToIntFunction<PushSettings> previewLength,
                            Predicate<PushSettings> highPriority) {

    public static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);

    public MessagePolicy {
        Objects.requireNonNull(expiry, "expiry must not be null");
        Objects.requireNonNull(previewLength, "previewLength must not be null");
        Objects.requireNonNull(highPriority, "highPriority must not be null");
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("message expiry must be positive: " + expiry);
        }
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("messages per user must be at least 1: " + maxPerUser);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("the largest message body must be at least 1 byte: " + maxBodyBytes);
        }
    }
}
