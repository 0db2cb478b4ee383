package org.sippush.domain.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One MESSAGE kept until the user's devices take it. Immutable (the body is copied in and out).
 *
 * @param id          the store's id (0 before it is stored); with {@code receivedAt}, the delivery order
 * @param aor         the address-of-record it is for
 * @param callId      the Call-ID it came with (for logs)
 * @param senderUri   the From URI
 * @param senderName  the From display name, or empty
 * @param recipient   the To URI as the sender wrote it
 * @param contentType the MIME type of the body
 * @param notice      an IMDN delivery notice (RFC 5438): delivered like a message, never pushed, not counted
 *                    in the badge
 * @param receivedAt  when the server accepted it
 * @param expiresAt   when it is deleted without delivery
 */
public record StoredMessage(long id, String aor, String callId, String senderUri, String senderName, String recipient,
                            String contentType, byte[] body, boolean notice, Instant receivedAt, Instant expiresAt) {

    public StoredMessage {
        Objects.requireNonNull(aor, "aor must not be null");
        Objects.requireNonNull(callId, "callId must not be null");
        Objects.requireNonNull(senderUri, "senderUri must not be null");
        Objects.requireNonNull(recipient, "recipient must not be null");
        Objects.requireNonNull(contentType, "contentType must not be null");
        Objects.requireNonNull(receivedAt, "receivedAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        senderName = senderName == null ? "" : senderName;
        body = body == null ? new byte[0] : body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int size() {
        return body.length;
    }

    /** The same message as the store keeps it, with its id. */
    public StoredMessage withId(long storedId) {
        return new StoredMessage(storedId, aor, callId, senderUri, senderName, recipient, contentType, body, notice,
                receivedAt, expiresAt);
    }

    public boolean isExpired(Instant now) {
        return !expiresAt.isAfter(now);
    }

    /** The body as text (UTF-8, or the charset parameter of a text/* type when it names one). */
    public String text() {
        java.nio.charset.Charset charset = StandardCharsets.UTF_8;
        int at = contentType.toLowerCase(java.util.Locale.ROOT).indexOf("charset=");
        if (at >= 0) {
            String name = contentType.substring(at + 8).split(";")[0].trim().replace("\"", "");
            try {
                charset = java.nio.charset.Charset.forName(name);
            } catch (IllegalArgumentException e) {
                charset = StandardCharsets.UTF_8;
            }
        }
        return new String(body, charset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage other && id == other.id && aor.equals(other.aor) && callId.equals(other.callId)
                && java.util.Arrays.equals(body, other.body) && receivedAt.equals(other.receivedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, aor, callId, receivedAt);
    }

    /** Never the body: it is the user's private text. */
    @Override
    public String toString() {
        return "StoredMessage[" + id + " for " + aor + " from " + senderUri + ", " + contentType + ", " + body.length
                + " bytes, call " + callId + "]";
    }
}
