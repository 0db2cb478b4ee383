package org.sippush.application.message;

import java.util.List;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.message.StoredMessage;
import org.sippush.domain.push.PushMessage;

/** What to do with a MESSAGE. */
public sealed interface MessageDecision {

    /** Every device is awake: proxy the MESSAGE to these contacts; the phone's answer goes back. */
    record Proxy(List<Binding> targets) implements MessageDecision {
        public Proxy {
            targets = List.copyOf(targets);
        }
    }

    /** Answer this and do nothing else; nothing was stored. */
    record Refuse(int status, String reason) implements MessageDecision {
    }

    /**
     * Stored (durable now): answer 202, send the pushes, and deliver at once to the awake devices.
     *
     * @param waiting    messages now waiting for the user (the badge)
     * @param pushes     one visible push per sleeping device (none for a delivery notice)
     * @param deliverNow one binding per awake device: the message goes there now
     */
    record Stored(StoredMessage message, int waiting, List<PushMessage> pushes, List<Binding> deliverNow)
            implements MessageDecision {
        public Stored {
            pushes = List.copyOf(pushes);
            deliverNow = List.copyOf(deliverNow);
        }
    }
}
