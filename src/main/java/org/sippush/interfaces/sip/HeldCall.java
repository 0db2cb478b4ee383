package org.sippush.interfaces.sip;

import java.util.HashSet;
import java.util.Set;

import javax.servlet.sip.Proxy;
import javax.servlet.sip.SipServletRequest;

/**
 * An INVITE waiting for a woken phone. Lives in the callee's SipApplicationSession (attribute
 * {@link SessionAttributes#HELD_CALLS}), so it is only touched under the container's
 * per-session serialisation: no locks of its own.
 */
final class HeldCall {

    final String callId;
    final SipServletRequest invite;
    final Proxy proxy;
    /** Push identities of the phones woken for this call: their re-REGISTER delivers it. */
    final Set<String> pushIdentities;
    /** Contact keys already given a branch: a second refresh delivers nothing twice. */
    final Set<String> triedContacts = new HashSet<>();
    final long heldAtNanos = System.nanoTime();
    String timerId;
    /** Every started branch has ended; an unstarted branch keeps the transaction (see CallRouter#park). */
    boolean parked;
    int pushesPending;
    boolean finished;

    HeldCall(String callId, SipServletRequest invite, Proxy proxy, Set<String> pushIdentities) {
        this.callId = callId;
        this.invite = invite;
        this.proxy = proxy;
        this.pushIdentities = Set.copyOf(pushIdentities);
    }
}
