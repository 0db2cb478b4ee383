package org.sippush.testsupport;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.UUID;

import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;

/** MESSAGE requests (RFC 3428) as a phone sends them through the server. */
public final class SipMessages {

    private SipMessages() {
    }

    /**
     * A stored message for a sleeping phone: {@code asleep} registers {@code user} with message push
     * ({@code X-Push: xPush}) and is closed (its app killed: nothing answers at its contact), then
     * {@code sender} sends it a MESSAGE with {@code text}, which the server must accept (202).
     */
    public static void storeForSleepingPhone(SipPhone asleep, SipPhone sender, int serverPort, String user,
                                             String xPush, String text) {
        int registered = asleep.register(user, serverPort, "udp").contactHere("", "")
                .header("X-Push", xPush).expires(600).send().getStatusCode();
        asleep.close();
        if (registered != 200) {
            throw new AssertionError("REGISTER of the sleeping phone answered " + registered);
        }
        javax.sip.message.Response accepted = sender.send(message(sender, serverPort, user, "text/plain", text));
        if (accepted.getStatusCode() != 202) {
            throw new AssertionError("MESSAGE for the sleeping phone: expected 202, got " + accepted);
        }
    }

    /**
     * A MESSAGE from {@code sip:alice@example.test} (display name Alice) to {@code to}, routed through
     * the server at 127.0.0.1:{@code serverPort} over UDP, with extra {@code Name: value} headers.
     */
    public static Request message(SipPhone sender, int serverPort, String to, String contentType, String body,
                                  String... headers) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder text = new StringBuilder()
                .append("MESSAGE ").append(to).append(" SIP/2.0\r\n")
                .append("Via: SIP/2.0/UDP ").append(sender.host()).append(':').append(sender.port("udp"))
                .append(";branch=z9hG4bK").append(UUID.randomUUID().toString().replace("-", "")).append("\r\n")
                .append("Route: <sip:127.0.0.1:").append(serverPort).append(";lr;transport=udp>\r\n")
                .append("Max-Forwards: 70\r\n")
                .append("From: \"Alice\" <sip:alice@example.test>;tag=").append(Long.toHexString(System.nanoTime()))
                .append("\r\n")
                .append("To: <").append(to).append(">\r\n")
                .append("Call-ID: ").append(UUID.randomUUID()).append("\r\n")
                .append("CSeq: 1 MESSAGE\r\n");
        for (String header : headers) {
            text.append(header).append("\r\n");
        }
        text.append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: 0\r\n\r\n");
        Request request = sender.parse(text.toString());
        try {
            request.setContent(bytes, (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        return request;
    }
}
