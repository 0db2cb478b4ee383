package org.sippush.domain.message;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where messages wait for the devices of their user. Every method is one transaction; what it
 * returns is durable.
 */
public interface MessageStore {

    /**
     * Stores {@code message} for {@code devices}, unless the user already has {@code maxPerUser}
     * messages waiting (then {@link Full} is thrown and nothing changes). Serialised with every other
     * store for the same address-of-record (on all nodes sharing the database).
     *
     * @return the message as stored (with its id) and the messages now waiting for the user
     *         (notices and expired ones not counted): the badge
     */
    Stored store(StoredMessage message, List<String> devices, int maxPerUser, Instant now);

    /** The oldest message {@code device} of {@code aor} has not taken yet and that has not expired. */
    Optional<StoredMessage> next(String aor, String device, Instant now);

    /**
     * {@code device} answered 2xx to message {@code id}: it is not delivered to that device again,
     * and the message is deleted once no device waits for it. Returns false when it was not pending.
     */
    boolean delivered(long id, String device);

    /** Messages waiting for the user (not yet taken by every device, not expired, notices not counted). */
    int waiting(String aor, Instant now);

    /** Deletes every message that expired before {@code now}, delivered or not; returns how many. */
    int purgeExpired(Instant now);

    /** What {@link #store} kept. */
    record Stored(StoredMessage message, int waiting) {
    }

    /** The user's store is at its cap: nothing was stored. */
    final class Full extends RuntimeException {
        private final int max;

        public Full(int max) {
            super("Too many messages waiting for this user (at most " + max + ")", null, false, false);
            this.max = max;
        }

        public int max() {
            return max;
        }
    }
}
