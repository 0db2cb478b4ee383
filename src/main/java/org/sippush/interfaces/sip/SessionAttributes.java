package org.sippush.interfaces.sip;

/** Names of the attributes this application keeps in SipApplicationSessions: all of them. */
final class SessionAttributes {

    /** {@code Map<String, HeldCall>}: the calls held for this address-of-record, by Call-ID. */
    static final String HELD_CALLS = "sippush.heldCalls";

    /** {@code Set<String>}: the devices of this address-of-record a stored message is on its way to (MessageRouter). */
    static final String MESSAGE_DELIVERIES = "sippush.messageDeliveries";

    private SessionAttributes() {
    }
}
