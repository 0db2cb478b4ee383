package org.sippush.interfaces.sip;

/** Names of the attributes this application keeps in SipApplicationSessions: all of them. */
final class SessionAttributes {

    /** {@code Map<String, HeldCall>}: the calls held for this address-of-record, by Call-ID, CSeq and From tag. */
    static final String HELD_CALLS = "sippush.heldCalls";

    /**
     * {@code Map<String, HeldCall>}: calls of this address-of-record that have ended while an iOS
     * device they pushed may still wake for them (kept for the push wait after the end).
     */
    static final String ENDED_CALLS = "sippush.endedCalls";

    /**
     * On the SipSession of the INVITE sent to a late-woken iPhone: the {@code Reason} header value
     * of its CANCEL (or of the BYE when the phone answered first).
     */
    static final String LATE_WAKE_REASON = "sippush.lateWake.reason";

    /** On the same SipSession once the CANCEL is sent. */
    static final String LATE_WAKE_CANCELLED = "sippush.lateWake.cancelled";

    /** {@code Set<String>}: the devices of this address-of-record a stored message is on its way to (MessageRouter). */
    static final String MESSAGE_DELIVERIES = "sippush.messageDeliveries";

    private SessionAttributes() {
    }
}
