package org.sippush.application.message;

import java.util.Locale;

/** What a MESSAGE carries, by its Content-Type: it decides whether it is stored and pushed. */
public enum MessageType {
    /** RFC 3994 {@code application/im-iscomposing+xml}: never stored, never pushed. */
    COMPOSING,
    /** RFC 5438 {@code message/imdn+xml}: stored and delivered, never pushed. */
    NOTICE,
    /** {@code text/*}: stored, pushed with a preview. */
    TEXT,
    /** Anything else (a picture, a CPIM wrapper...): stored, pushed without preview. */
    OTHER;

    /** The type of a Content-Type value (parameters ignored); a MESSAGE without one is text (RFC 3428 §7). */
    public static MessageType of(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return TEXT;
        }
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (mime.equals("application/im-iscomposing+xml")) {
            return COMPOSING;
        }
        if (mime.equals("message/imdn+xml")) {
            return NOTICE;
        }
        return mime.startsWith("text/") ? TEXT : OTHER;
    }
}
