package org.sippush.application.message;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.message.MessageStore;
import org.sippush.domain.message.StoredMessage;
import org.sippush.domain.push.MessageAlert;
import org.sippush.domain.push.PushMessage;

/**
 * The rules of messages to sleeping phones (issue 10):
 * <ul>
 * <li>a body over the size limit is refused (413), whatever else is true;</li>
 * <li>when no live device of the user sleeps (none allows message push), the MESSAGE is proxied;</li>
 * <li>an isComposing indication (RFC 3994) is never stored: it goes to the awake devices, or is refused;</li>
 * <li>otherwise the message is stored for every live device (per-device delivery state), unless the
 *     user's store is full (486); each sleeping device gets a visible push (a delivery notice, RFC 5438,
 *     none), each awake device gets the message at once;</li>
 * <li>a device that registers takes its waiting messages oldest first, one at a time: each is
 *     {@link #delivered} on its 2xx, and the next is only sent then.</li>
 * </ul>
 */
public final class InstantMessages {

    private final MessageStore store;
    private final MessagePolicy policy;
    private final Clock clock;

    public InstantMessages(MessageStore store, MessagePolicy policy, Clock clock) {
        this.store = Objects.requireNonNull(store, "store must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    public MessagePolicy policy() {
        return policy;
    }

    /** Decides, and stores when the decision is {@link MessageDecision.Stored}. {@code live}: the user's live bindings. */
    public MessageDecision accept(IncomingMessage message, List<Binding> live) {
        int size = message.body().length;
        if (size > policy.maxBodyBytes()) {
            return new MessageDecision.Refuse(413, "Message body too large: " + size + " bytes (at most "
                    + policy.maxBodyBytes() + ")");
        }
        List<Binding> awake = new ArrayList<>();
        Map<String, Binding> sleeping = new LinkedHashMap<>();
        Map<String, Binding> devices = new LinkedHashMap<>();
        for (Binding binding : live) {
            String device = MessageDevices.of(binding);
            devices.putIfAbsent(device, binding);
            if (MessageDevices.sleeps(binding)) {
                sleeping.putIfAbsent(device, binding);
            } else {
                awake.add(binding);
            }
        }
        if (sleeping.isEmpty()) {
            return new MessageDecision.Proxy(live);
        }
        MessageType type = message.type();
        if (type == MessageType.COMPOSING) {
            return awake.isEmpty()
                    ? new MessageDecision.Refuse(480, "Recipient asleep; isComposing is not stored")
                    : new MessageDecision.Proxy(awake);
        }
        Instant now = clock.instant();
        Duration lifetime = message.expires() != null && message.expires().compareTo(policy.expiry()) < 0
                && !message.expires().isNegative() && !message.expires().isZero() ? message.expires() : policy.expiry();
        StoredMessage toStore = new StoredMessage(0, message.aor(), message.callId(), message.senderUri(),
                message.senderName(), message.recipient(), message.contentType(), message.body(),
                type == MessageType.NOTICE, now, now.plus(lifetime));
        MessageStore.Stored stored;
        try {
            stored = store.store(toStore, List.copyOf(devices.keySet()), policy.maxPerUser(), now);
        } catch (MessageStore.Full full) {
            return new MessageDecision.Refuse(486, full.getMessage());
        }
        List<PushMessage> pushes = new ArrayList<>();
        if (type != MessageType.NOTICE) {
            for (Binding device : sleeping.values()) {
                pushes.add(push(stored, device, type));
            }
        }
        List<Binding> deliverNow = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Binding binding : awake) {
            if (seen.putIfAbsent(MessageDevices.of(binding), Boolean.TRUE) == null) {
                deliverNow.add(binding);
            }
        }
        return new MessageDecision.Stored(stored.message(), stored.waiting(), pushes, deliverNow);
    }

    private PushMessage push(MessageStore.Stored stored, Binding device, MessageType type) {
        StoredMessage message = stored.message();
        String preview = type == MessageType.TEXT
                ? MessageAlert.preview(message.text(), policy.previewLength().applyAsInt(device.push())) : "";
        MessageAlert alert = new MessageAlert(preview, message.contentType(), stored.waiting(), message.senderUri(),
                policy.highPriority().test(device.push()));
        return PushMessage.message(device.push(), message.callId(), message.senderName(), message.senderUri(),
                message.aor(), message.receivedAt(), message.expiresAt(), alert);
    }

    /** The oldest message {@code device} has not taken yet, if any. */
    public Optional<StoredMessage> next(String aor, String device) {
        return store.next(aor, device, clock.instant());
    }

    /** {@code device} answered 2xx to message {@code id}: never sent to it again. */
    public boolean delivered(long id, String device) {
        return store.delivered(id, device);
    }

    /** Messages waiting for the user (the badge). */
    public int waiting(String aor) {
        return store.waiting(aor, clock.instant());
    }

    /** Deletes the expired messages, undelivered; returns how many. */
    public int purgeExpired() {
        return store.purgeExpired(clock.instant());
    }
}
