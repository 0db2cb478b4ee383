package org.sippush.interfaces.sip.push;

/**
 * The push parameters of a REGISTER are unusable; the registrar answers with {@link #status()} and
 * {@link #reason()} as the reason phrase: 400 when they are malformed, 555 (RFC 8599 "Push Notification
 * Service Not Supported") when they name a push service this server does not speak.
 *
 * <p>The reason is always safe for a SIP reason phrase: ASCII letters, digits, spaces and the characters
 * RFC 3261 allows there unescaped (anything else is replaced by '?'; never CR or LF), and it never holds a
 * push token.
 */
public final class PushParameterException extends Exception {

    private static final long serialVersionUID = 1L;

    /** 400 Bad Request. */
    public static final int BAD_REQUEST = 400;
    /** 555 Push Notification Service Not Supported (RFC 8599, section 14.2). */
    public static final int SERVICE_NOT_SUPPORTED = 555;

    private static final int MAX_QUOTED_CHARS = 20;
    /** RFC 3261 reserved and mark characters, and the space. */
    private static final String REASON_PHRASE_MARKS = ";/?:@&=+$,-_.!~*'() ";

    private final int status;
    private final String reason;

    public PushParameterException(int status, String reason) {
        super(printable(reason == null ? "" : reason));
        if (status < 400 || status > 699) {
            throw new IllegalArgumentException("status must be a SIP error status (400-699), was " + status);
        }
        this.status = status;
        this.reason = getMessage();
    }

    static PushParameterException badRequest(String reason) {
        return new PushParameterException(BAD_REQUEST, reason);
    }

    static PushParameterException notSupported(String reason) {
        return new PushParameterException(SERVICE_NOT_SUPPORTED, reason);
    }

    /** The SIP status to answer with: 400 or 555. */
    public int status() {
        return status;
    }

    /** Short, ASCII, human readable: what was wrong and where. */
    public String reason() {
        return reason;
    }

    /** An offending value, fit for a reason phrase: cut to 20 characters, anything unsafe as '?', in quotes. */
    static String quote(String value) {
        String cut = value.length() > MAX_QUOTED_CHARS ? value.substring(0, MAX_QUOTED_CHARS) + "..." : value;
        return "'" + printable(cut) + "'";
    }

    /**
     * Keeps only what RFC 3261 allows in a reason phrase without escaping, in ASCII:
     * {@code Reason-Phrase = *(reserved / unreserved / SP)}; anything else becomes '?'.
     */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(isReasonPhraseChar(c) ? c : '?');
        }
        return out.toString();
    }

    static boolean isReasonPhraseChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || REASON_PHRASE_MARKS.indexOf(c) >= 0;
    }
}
