package org.sippush.application.ops;

import org.sippush.domain.push.PushOutcome;

/**
 * What the application reports while it works, for the metrics. Implementations must be cheap and
 * never throw: they run on the SIP and push threads.
 */
public interface Observations {

    /** Reports nothing. */
    Observations NONE = new Observations() {
    };

    /** A push ended (after its retries) with this outcome. */
    default void pushOutcome(PushOutcome outcome) {
    }

    /** A woken phone's REGISTER reached the application this long before its held INVITE left. */
    default void wakeDelivery(long micros) {
    }

    /** The application sent (or relayed) a response of this status to a request of this method. */
    default void sipResponse(String method, int status) {
    }

    /** A REGISTER was answered: {@code registered}, {@code refused} or {@code interval-too-brief}. */
    default void registration(String result) {
    }
}
