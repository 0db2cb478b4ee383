package org.sippush.domain.push;

import java.util.Objects;

/**
 * What a visible message push shows, beyond who sent it: every provider renders it its own way
 * (APNs {@code aps.alert}, {@code badge}, {@code thread-id}; FCM PortSIP data keys).
 *
 * @param preview      the start of the text as the notice shows it, or empty (previews off for the app,
 *                     or a body that is not text)
 * @param mimeType     the message's Content-Type
 * @param badge        messages waiting for the user, this one included
 * @param threadId     groups the notices of one conversation: the sender's URI
 * @param highPriority FCM: deliver at high priority (the app asked for it in the settings)
 */
public record MessageAlert(String preview, String mimeType, int badge, String threadId, boolean highPriority) {

    /** The ellipsis that ends a cut preview. */
    public static final String CUT = "…";

    public MessageAlert {
        preview = preview == null ? "" : preview;
        Objects.requireNonNull(mimeType, "mimeType must not be null");
        Objects.requireNonNull(threadId, "threadId must not be null");
        if (badge < 0) {
            throw new IllegalArgumentException("badge must not be negative: " + badge);
        }
    }

    /**
     * The first {@code maxCharacters} characters of {@code text} (whole code points: a surrogate
     * pair or an emoji is never split), followed by {@link #CUT} when something was left out;
     * empty when {@code maxCharacters} is 0.
     */
    public static String preview(String text, int maxCharacters) {
        if (maxCharacters <= 0 || text == null) {
            return "";
        }
        String trimmed = text.strip();
        if (trimmed.codePointCount(0, trimmed.length()) <= maxCharacters) {
            return trimmed;
        }
        return trimmed.substring(0, trimmed.offsetByCodePoints(0, maxCharacters)) + CUT;
    }

    /** Never the preview: it is the user's private text. */
    @Override
    public String toString() {
        return "MessageAlert[" + mimeType + ", badge " + badge + ", preview " + preview.length() + " chars]";
    }
}
