package org.sippush.interfaces.sip;

/** Names of the attributes this application keeps in SipApplicationSessions: all of them. */
final class SessionAttributes {

    /** {@code Map<String, HeldCall>}: the calls held for this address-of-record, by Call-ID. */
    static final String HELD_CALLS = "sippush.heldCalls";

    private SessionAttributes() {
    }
}
