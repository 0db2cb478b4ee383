package org.sippush.infrastructure.push.fcm;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.Message;
import org.sippush.domain.push.PushMessage;

/**
 * What FCM receives for a push: a data-only message (no notification block, so the app's own code runs
 * and reports the call), {@code android.priority = high} so it reaches a dozing phone, and a time to live
 * that ends with the push wait: a push delivered after the caller gave up would ring a dead call.
 */
final class FcmMessages {

    /** PortSIP's {@code msg_type} of a call push (its SDK also knows {@code audio}, {@code video}, {@code im}). */
    static final String PORTSIP_CALL = "call";
    /** PortSIP's {@code msg_type} of an instant-message push. */
    static final String PORTSIP_MESSAGE = "im";
    /** {@code msg_type} of the push that tells a ringing app its call ended. */
    static final String PORTSIP_CANCEL = "cancel";
    /** {@code msg_type} of a missed-call notice. */
    static final String PORTSIP_MISSED_CALL = "missed_call";

    /** FCM keeps a message at most four weeks. */
    static final Duration MAX_TTL = Duration.ofDays(28);

    private FcmMessages() {
    }

    static Message of(PushMessage message, Instant now) {
        AndroidConfig.Builder android = AndroidConfig.builder()
                .setPriority(AndroidConfig.Priority.HIGH)
                .setTtl(ttl(message, now).toMillis());
        if (message.kind() != PushMessage.Kind.MESSAGE) {
            // A second push for the same call (a retry, or its cancel) replaces the one still waiting at Google.
            android.setCollapseKey(message.callId());
        }
        Message.Builder built = Message.builder()
                .setToken(message.token())
                .putAllData(data(message));
        if (message.kind() == PushMessage.Kind.MESSAGE && !message.alert().highPriority()) {
            // a message need not wake a dozing phone at once unless the app asked for it (settings)
            android.setPriority(AndroidConfig.Priority.NORMAL);
        }
        if (message.kind() == PushMessage.Kind.MISSED_CALL) {
            // visible: Android shows it even if the app does nothing; normal priority is enough
            android.setPriority(AndroidConfig.Priority.NORMAL);
            built.setNotification(com.google.firebase.messaging.Notification.builder()
                    .setTitle("Missed call").setBody(message.callerShown()).build());
        }
        return built.setAndroidConfig(android.build()).build();
    }

    /**
     * The app's data: the fields of {@link PushMessage#payloadJson()} (the same for every provider) plus
     * PortSIP's {@code x-push-id} and {@code msg_type}, so apps built on PortSIP's SDK recognise the push.
     */
    static Map<String, String> data(PushMessage message) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("type", message.kind().wireName());
        data.put("push-id", message.pushId());
        data.put("call-id", message.callId());
        data.put("from-name", message.callerName());
        data.put("from-uri", message.callerUri());
        data.put("to-uri", message.callee());
        data.put("send-time", message.sentAt().toString());
        data.put("x-push-id", message.pushId());
        data.put("msg_type", switch (message.kind()) {
            case CALL -> PORTSIP_CALL;
            case CANCEL -> PORTSIP_CANCEL;
            case MISSED_CALL -> PORTSIP_MISSED_CALL;
            case MESSAGE -> PORTSIP_MESSAGE;
        });
        if (message.kind() == PushMessage.Kind.CANCEL) {
            data.put("reason", message.reason());
        }
        if (message.kind() == PushMessage.Kind.MESSAGE) {
            // PortSIP's keys of an instant message (msg_content: the preview, empty when none is sent)
            data.put("msg_content", message.alert().preview());
            data.put("send_from", message.callerUri());
            data.put("send_to", message.callee());
            data.put("mime_type", message.alert().mimeType());
            data.put("badge", Integer.toString(message.alert().badge()));
        }
        return data;
    }

    /**
     * The time left until the push expires, in whole seconds rounded down (FCM would print fractions as
     * {@code "1.500000000s"}), never longer than the whole push wait (for a message: its lifetime, at most
     * FCM's four weeks) and never negative.
     */
    static Duration ttl(PushMessage message, Instant now) {
        Duration left = Duration.between(now, message.expiresAt());
        Duration wait = Duration.between(message.sentAt(), message.expiresAt());
        Duration ttl = left.compareTo(wait) > 0 ? wait : left;
        if (ttl.compareTo(MAX_TTL) > 0) {
            ttl = MAX_TTL;
        }
        return ttl.isNegative() ? Duration.ZERO : Duration.ofSeconds(ttl.getSeconds());
    }
}
