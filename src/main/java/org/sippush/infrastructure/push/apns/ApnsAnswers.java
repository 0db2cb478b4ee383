package org.sippush.infrastructure.push.apns;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import com.eatthepath.pushy.apns.PushNotificationResponse;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/**
 * APNs' answers as the three outcomes. The reasons are Apple's ("Sending Notification Requests to
 * APNs", "Handling notification responses from APNs"):
 * <ul>
 *   <li>200: accepted, with its {@code apns-id};</li>
 *   <li>410 ({@code Unregistered}, {@code ExpiredToken}), {@code BadDeviceToken},
 *       {@code DeviceTokenNotForTopic}: rejected, the token is gone (a sandbox token sent to production,
 *       or the other way round, is a {@code BadDeviceToken} too);</li>
 *   <li>429 ({@code TooManyRequests}), 5xx ({@code InternalServerError}, {@code ServiceUnavailable},
 *       {@code Shutdown}), {@code ExpiredProviderToken} (the next connection signs a new JWT) and
 *       anything that did not get an answer (connection, TLS, timeout): failed, worth retrying;</li>
 *   <li>every other 4xx ({@code BadTopic}, {@code TopicDisallowed}, {@code BadCertificate},
 *       {@code InvalidProviderToken}, {@code PayloadTooLarge}, …):
 *       rejected, the token stays (the fault is the server's configuration or the request).</li>
 * </ul>
 */
final class ApnsAnswers {

    private static final Set<String> TOKEN_GONE =
            Set.of("Unregistered", "ExpiredToken", "BadDeviceToken", "DeviceTokenNotForTopic");
    private static final Set<String> TRANSIENT =
            // ExpiredProviderToken: pushy drops that connection and signs a fresh JWT on the next one
            Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable", "Shutdown", "IdleTimeout",
                    "ExpiredProviderToken");

    private ApnsAnswers() {
    }

    /** The outcome of one push from pushy's response, or from the error its future completed with. */
    static PushOutcome outcome(PushMessage message, PushNotificationResponse<?> response, Throwable error) {
        if (error != null) {
            return failure(message, error);
        }
        if (response.isAccepted()) {
            return new PushOutcome.Accepted(message, String.valueOf(response.getApnsId()));
        }
        int status = response.getStatusCode();
        String reason = response.getRejectionReason().orElse("");
        String text = "APNs " + status + (reason.isEmpty() ? "" : " " + reason)
                + response.getTokenInvalidationTimestamp().map(t -> " (token invalid since " + t + ")").orElse("");
        if (status == 429 || status >= 500 || TRANSIENT.contains(reason)) {
            return new PushOutcome.Failed(message, text, -1);
        }
        return new PushOutcome.Rejected(message, text, status == 410 || TOKEN_GONE.contains(reason));
    }

    /** A push that got no answer: transient. */
    static PushOutcome.Failed failure(PushMessage message, Throwable error) {
        Throwable cause = unwrap(error);
        return new PushOutcome.Failed(message, "APNs not reached: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), -1);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
