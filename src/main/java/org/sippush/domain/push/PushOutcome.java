package org.sippush.domain.push;

/**
 * What became of a push. A rejection is an ordinary answer (the token or the request is bad and
 * will stay bad); a failure is transient and worth retrying within the push wait.
 */
public sealed interface PushOutcome {

    PushMessage message();

    /** The provider took the push. */
    record Accepted(PushMessage message, String providerId) implements PushOutcome {
    }

    /** The provider refused it for good; {@code tokenGone}: the token must not be used again. */
    record Rejected(PushMessage message, String reason, boolean tokenGone) implements PushOutcome {
    }

    /** It could not be sent now (5xx, 429, timeout, connection lost); {@code retryAfterMillis} or -1. */
    record Failed(PushMessage message, String reason, long retryAfterMillis) implements PushOutcome {
    }
}
