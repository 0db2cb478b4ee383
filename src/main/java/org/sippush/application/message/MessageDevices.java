package org.sippush.application.message;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;

/**
 * What names one device across its registrations, for the delivery state of a message: its push
 * identity (the same from any address, RFC 8599 §4.1.1), else its {@code +sip.instance} (RFC 5626),
 * else its contact.
 */
public final class MessageDevices {

    private MessageDevices() {
    }

    public static String of(Binding binding) {
        return of(binding.pushIdentity(), binding.instanceId(), binding.contactKey());
    }

    public static String of(Contact contact) {
        return of(contact.push() == null ? null : contact.push().identityKey(), contact.instanceId(), contact.key());
    }

    private static String of(String pushIdentity, String instanceId, String contactKey) {
        if (pushIdentity != null) {
            return "push:" + pushIdentity;
        }
        return instanceId != null ? "instance:" + instanceId : "contact:" + contactKey;
    }

    /** Whether the phone of this binding sleeps for messages: it is woken by a push, not reached at its contact. */
    public static boolean sleeps(Binding binding) {
        return binding.push() != null && binding.push().messagePushAllowed();
    }
}
