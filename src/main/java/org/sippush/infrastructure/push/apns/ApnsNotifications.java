package org.sippush.infrastructure.push.apns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import org.sippush.domain.push.PushMessage;

/**
 * What Apple requires of a push, from a {@link PushMessage}. A call is a PushKit VoIP push: topic
 * {@code <bundle id>.voip}, {@code apns-push-type: voip}, {@code apns-priority: 10}, collapsed by
 * Call-ID so that APNs keeps at most one push per call; it expires ({@code apns-expiration}) when the
 * push wait ends: a late push would ring a dead call. A message is an ordinary alert to the bundle id
 * ({@code apns-push-type: alert}): title the sender, body the preview, {@code badge} the messages
 * waiting, {@code thread-id} the sender, {@code mutable-content} so the app's notification service
 * extension may decrypt or replace the text; it expires with the stored message.
 */
final class ApnsNotifications {

    /** APNs refuses an {@code apns-collapse-id} longer than this (in bytes). */
    static final int MAX_COLLAPSE_ID_BYTES = 64;

    /** The alert body when the app gets no preview (previews off, or a body that is not text). */
    static final String NO_PREVIEW = "New message";

    private ApnsNotifications() {
    }

    static SimpleApnsPushNotification of(PushMessage message) {
        String appId = message.target().appId();
        if (message.kind() == PushMessage.Kind.MISSED_CALL) {
            return new SimpleApnsPushNotification(message.token(), appId, missedCallPayload(message),
                    message.expiresAt(), DeliveryPriority.IMMEDIATE, PushType.ALERT, collapseId(message.callId()), null);
        }
        if (message.kind() != PushMessage.Kind.MESSAGE) {  // a call (or its cancel: never sent to iOS by the router)
            return new SimpleApnsPushNotification(message.token(), appId + ".voip", message.payloadJson(),
                    message.expiresAt(), DeliveryPriority.IMMEDIATE, PushType.VOIP, collapseId(message.callId()), null);
        }
        return new SimpleApnsPushNotification(message.token(), appId, alertPayload(message),
                message.expiresAt(), DeliveryPriority.IMMEDIATE, PushType.ALERT, null, null);
    }

    /** An alert "Missed call" naming the caller, in front of the custom keys every provider sends. */
    static String missedCallPayload(PushMessage message) {
        return "{\"aps\":{\"alert\":{\"title\":\"Missed call\",\"body\":"
                + org.sippush.domain.push.Json.quote(message.callerShown()) + "},\"sound\":\"default\"},"
                + message.payloadJson().substring(1);
    }

    /** The message payload: an {@code aps} alert in front of the custom keys every provider sends. */
    static String alertPayload(PushMessage message) {
        org.sippush.domain.push.MessageAlert alert = message.alert();
        String body = alert.preview().isEmpty() ? NO_PREVIEW : alert.preview();
        return "{\"aps\":{\"alert\":{\"title\":" + org.sippush.domain.push.Json.quote(message.callerShown())
                + ",\"body\":" + org.sippush.domain.push.Json.quote(body) + "}"
                + ",\"badge\":" + alert.badge()
                + ",\"sound\":\"default\""
                + ",\"thread-id\":" + org.sippush.domain.push.Json.quote(alert.threadId())
                + ",\"mutable-content\":1},"
                + message.payloadJson().substring(1);
    }

    /** The Call-ID itself when it fits APNs' 64 bytes, otherwise its SHA-256 in hex (64 characters). */
    static String collapseId(String callId) {
        byte[] bytes = callId.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_COLLAPSE_ID_BYTES) {
            return callId;
        }
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            return hex.substring(0, MAX_COLLAPSE_ID_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
