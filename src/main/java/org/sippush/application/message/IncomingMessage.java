package org.sippush.application.message;

import java.time.Duration;
import java.util.Objects;

/**
 * A MESSAGE as the SIP layer read it.
 *
 * @param aor         the address-of-record it is for (To)
 * @param callId      its Call-ID
 * @param senderUri   the From URI
 * @param senderName  the From display name, or empty
 * @param recipient   the To URI as sent
 * @param contentType its Content-Type (text/plain when it had none)
 * @param body        its body
 * @param expires     the lifetime its sender asked for (Expires header), or null
 */
public record IncomingMessage(String aor, String callId, String senderUri, String senderName, String recipient,
                              String contentType, byte[] body, Duration expires) {

    public IncomingMessage {
        Objects.requireNonNull(aor, "aor must not be null");
        Objects.requireNonNull(callId, "callId must not be null");
        Objects.requireNonNull(senderUri, "senderUri must not be null");
        Objects.requireNonNull(recipient, "recipient must not be null");
        senderName = senderName == null ? "" : senderName;
        contentType = contentType == null || contentType.isBlank() ? "text/plain" : contentType;
        body = body == null ? new byte[0] : body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public MessageType type() {
        return MessageType.of(contentType);
    }

    @Override
    public String toString() {
        return "IncomingMessage[" + callId + " for " + aor + ", " + contentType + ", " + body.length + " bytes]";
    }
}
