package org.sippush.application.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A held call as it stood after its last event.
 *
 * @param key     the held call's key (Call-ID, CSeq, From tag)
 * @param callee  the address-of-record called
 * @param caller  the caller's URI
 * @param heldAt  when the call was held
 * @param state   the call's state ({@code HELD}, {@code ANSWERED}, {@code ENDED})
 * @param devices the devices pushed or waited for
 */
public record HeldCallSnapshot(String key, String callId, String callee, String caller, Instant heldAt, String state,
                               List<DevicePush> devices) {

    public HeldCallSnapshot {
        devices = List.copyOf(devices);
    }

    /** One device of the call: its push provider, app, masked token and what became of its push. */
    public record DevicePush(String provider, String appId, String tokenMasked, String pushState) {
    }

    public Duration age(Instant now) {
        return Duration.between(heldAt, now);
    }
}
