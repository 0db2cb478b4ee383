package org.sippush.infrastructure.push.fcm;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import com.google.firebase.ErrorCode;
import com.google.firebase.IncomingHttpResponse;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.MessagingErrorCode;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/**
 * FCM's answers as {@link PushOutcome}s (FCM HTTP v1 error codes,
 * https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode):
 * <ul>
 *   <li>{@code UNREGISTERED} (404), {@code SENDER_ID_MISMATCH} (403), {@code INVALID_ARGUMENT} (400): the
 *       token is dead, belongs to another sender, or is no token at all: rejected, the token goes;</li>
 *   <li>{@code THIRD_PARTY_AUTH_ERROR} (401, or a bare {@code UNAUTHENTICATED} 401): FCM could not use the
 *       APNs credentials of the project, or refuses ours: rejected, the token stays;</li>
 *   <li>{@code QUOTA_EXCEEDED} (429), {@code UNAVAILABLE} (503), {@code INTERNAL} (500) and everything else
 *       (no connection, timeouts, unexpected answers): failed, worth retrying, with Google's
 *       {@code Retry-After} when it sent one.</li>
 * </ul>
 */
final class FcmAnswers {

    private static final Set<MessagingErrorCode> TOKEN_GONE = Set.of(
            MessagingErrorCode.UNREGISTERED, MessagingErrorCode.SENDER_ID_MISMATCH, MessagingErrorCode.INVALID_ARGUMENT);

    private FcmAnswers() {
    }

    static PushOutcome accepted(PushMessage message, String messageName) {
        return new PushOutcome.Accepted(message, messageName);
    }

    static PushOutcome failure(PushMessage message, Throwable error, Clock clock) {
        Throwable cause = unwrap(error);
        if (!(cause instanceof FirebaseMessagingException fcm)) {
            return new PushOutcome.Failed(message, "FCM not reached: " + describe(cause), -1);
        }
        MessagingErrorCode code = fcm.getMessagingErrorCode();
        IncomingHttpResponse response = fcm.getHttpResponse();
        String reason = "FCM " + (code != null ? code : fcm.getErrorCode())
                + (response != null ? " (HTTP " + response.getStatusCode() + ")" : "");
        if (code != null && TOKEN_GONE.contains(code)) {
            return new PushOutcome.Rejected(message, reason, true);
        }
        if (code == MessagingErrorCode.THIRD_PARTY_AUTH_ERROR || code == null && fcm.getErrorCode() == ErrorCode.UNAUTHENTICATED) {
            // A 401 reaches us only after firebase-admin refreshed the access token and tried again. Over
            // NetHttpTransport its body is lost (the JDK drops it for a streamed POST), so FCM's
            // THIRD_PARTY_AUTH_ERROR arrives as a bare UNAUTHENTICATED: either way, retrying will not help.
            return new PushOutcome.Rejected(message, reason, false);
        }
        if (response == null) {
            // No HTTP answer: firebase-admin wraps the I/O error (refused, timed out, token request failed).
            reason = reason + ": " + describe(fcm.getCause() != null ? fcm.getCause() : fcm);
        }
        return new PushOutcome.Failed(message, reason, response == null ? -1 : retryAfterMillis(response, clock));
    }

    /**
     * Google's {@code Retry-After} in milliseconds (delta-seconds or an HTTP-date, RFC 9110 §10.2.3), or -1.
     * For transient answers the transport moved the original to
     * {@value NoLibraryRetryConnection#ORIGINAL_RETRY_AFTER}.
     */
    static long retryAfterMillis(IncomingHttpResponse response, Clock clock) {
        String value = header(response.getHeaders(), NoLibraryRetryConnection.ORIGINAL_RETRY_AFTER);
        if (value == null) {
            value = header(response.getHeaders(), "Retry-After");
        }
        return parseRetryAfter(value, clock);
    }

    static long parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank() || value.equals(NoLibraryRetryConnection.NONE)) {
            return -1;
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? -1 : Math.multiplyExact(seconds, 1000L);
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                long at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - clock.millis());
            } catch (DateTimeParseException notADate) {
                return -1;
            }
        }
    }

    private static String header(Map<String, Object> headers, String name) {
        for (Map.Entry<String, Object> header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(name)) {
                Object value = header.getValue();
                if (value instanceof Collection<?> values) {
                    return values.isEmpty() ? null : String.valueOf(values.iterator().next());
                }
                return value == null ? null : value.toString();
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable error) {
        if (error instanceof CancellationException) {
            return "cancelled";
        }
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }
}
