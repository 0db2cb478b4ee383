package org.sippush.domain.push;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.sippush.domain.binding.PushSettings;

/**
 * One push to one phone: what wakes it for a call and lets the woken app match the call it
 * receives next. Immutable.
 *
 * @param pushId     unique id of this push (the app may echo it; logs use it)
 * @param kind       call or message
 * @param target     the phone's push settings (provider, token, app)
 * @param callId     the Call-ID of the held INVITE
 * @param callerName the caller's display name, or empty
 * @param callerUri  the caller's URI (From)
 * @param callee     the address-of-record called (To)
 * @param sentAt     when the server sent the push
 * @param expiresAt  when the push stops being useful (the end of the push wait): providers must
 *                   not deliver it later
 * @param reason     for {@link Kind#CANCEL}: why the call ended ({@code answered elsewhere},
 *                   {@code cancelled}, {@code timeout}, {@code ended}); empty otherwise
 * @param alert      for {@link Kind#MESSAGE}: preview, badge and thread of the notice; null otherwise
 */
public record PushMessage(String pushId, Kind kind, PushSettings target, String callId, String callerName,
                          String callerUri, String callee, Instant sentAt, Instant expiresAt, String reason,
                          MessageAlert alert) {

    /**
     * What the push is for: wake for a call, a message, stop ringing for a call that ended (Android),
     * or a visible notice of a call that ended unanswered.
     */
    public enum Kind {
        CALL, MESSAGE, CANCEL, MISSED_CALL;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public PushMessage {
        Objects.requireNonNull(pushId, "pushId must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(callId, "callId must not be null");
        Objects.requireNonNull(callerUri, "callerUri must not be null");
        Objects.requireNonNull(callee, "callee must not be null");
        Objects.requireNonNull(sentAt, "sentAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        callerName = callerName == null ? "" : callerName;
        reason = reason == null ? "" : reason;
        if (kind == Kind.MESSAGE && alert == null) {
            throw new IllegalArgumentException("a message push needs its alert (preview, badge, thread)");
        }
    }

    public PushMessage(String pushId, Kind kind, PushSettings target, String callId, String callerName,
                       String callerUri, String callee, Instant sentAt, Instant expiresAt, String reason) {
        this(pushId, kind, target, callId, callerName, callerUri, callee, sentAt, expiresAt, reason, null);
    }

    public PushMessage(String pushId, Kind kind, PushSettings target, String callId, String callerName,
                       String callerUri, String callee, Instant sentAt, Instant expiresAt) {
        this(pushId, kind, target, callId, callerName, callerUri, callee, sentAt, expiresAt, "");
    }

    public static PushMessage call(PushSettings target, String callId, String callerName, String callerUri,
                                   String callee, Instant now, Instant expiresAt) {
        return new PushMessage(UUID.randomUUID().toString(), Kind.CALL, target, callId, callerName, callerUri, callee,
                now, expiresAt);
    }

    /**
     * The pushed call ended before this phone answered: tell its app to stop ringing (an FCM data
     * message {@code type=cancel}; iOS needs its call delivered and cancelled instead).
     */
    public static PushMessage cancel(PushMessage call, String reason, Instant now) {
        return new PushMessage(UUID.randomUUID().toString(), Kind.CANCEL, call.target(), call.callId(), call.callerName(),
                call.callerUri(), call.callee(), now, call.expiresAt().isAfter(now) ? call.expiresAt() : now.plusSeconds(30),
                reason, null);
    }

    /**
     * A visible notice of a message stored for a sleeping phone (sent to its alert token).
     *
     * @param callId the MESSAGE's Call-ID
     * @param expiresAt when the message itself expires: the provider may hold the push until then
     */
    public static PushMessage message(PushSettings target, String callId, String senderName, String senderUri,
                                      String callee, Instant now, Instant expiresAt, MessageAlert alert) {
        return new PushMessage(UUID.randomUUID().toString(), Kind.MESSAGE, target, callId, senderName, senderUri,
                callee, now, expiresAt, "", alert);
    }

    /** How long a missed-call notice stays deliverable (a phone switched off sees it when it comes back). */
    public static final java.time.Duration MISSED_CALL_LIFETIME = java.time.Duration.ofDays(1);

    /** The pushed call ended unanswered: a visible notice naming the caller. */
    public static PushMessage missedCall(PushMessage call, Instant now) {
        return new PushMessage(UUID.randomUUID().toString(), Kind.MISSED_CALL, call.target(), call.callId(),
                call.callerName(), call.callerUri(), call.callee(), now, now.plus(MISSED_CALL_LIFETIME), "", null);
    }

    /** Who called, as a notice shows it: the display name, or the caller's URI. */
    public String callerShown() {
        return callerName.isBlank() ? callerUri : callerName;
    }

    /**
     * The token this push goes to: the VoIP token for calls (and their cancel), the message (alert)
     * token for messages and missed-call notices.
     */
    public String token() {
        return kind == Kind.MESSAGE || kind == Kind.MISSED_CALL ? target.messageToken() : target.callToken();
    }

    /**
     * The data the app receives, the same for every provider (README, "What the app receives"):
     * {@code {"type":"call","push-id":…,"call-id":…,"from-name":…,"from-uri":…,"to-uri":…,"send-time":…}}.
     */
    public String payloadJson() {
        return "{\"type\":" + Json.quote(kind.wireName())
                + ",\"push-id\":" + Json.quote(pushId)
                + ",\"call-id\":" + Json.quote(callId)
                + ",\"from-name\":" + Json.quote(callerName)
                + ",\"from-uri\":" + Json.quote(callerUri)
                + ",\"to-uri\":" + Json.quote(callee)
                + ",\"send-time\":" + Json.quote(sentAt.toString())
                + (kind == Kind.CANCEL ? ",\"reason\":" + Json.quote(reason) : "")
                + (alert != null ? ",\"badge\":" + alert.badge() + ",\"mime-type\":" + Json.quote(alert.mimeType()) : "")
                + "}";
    }

    @Override
    public String toString() {
        return "PushMessage[" + kind.wireName() + " " + pushId + " call " + callId + " to " + callee + " via "
                + target.provider().wireName() + " token " + PushSettings.mask(token()) + "]";
    }
}
