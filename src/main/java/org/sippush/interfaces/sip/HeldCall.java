package org.sippush.interfaces.sip;

import java.util.HashMap;
import java.util.Map;

import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.SipServletRequest;

import org.sippush.domain.binding.PushSettings;

/**
 * The SIP side of a held call: the INVITE, its proxy and branches, the devices' push settings,
 * and the application's state machine ({@link org.sippush.application.call.HeldCall}) that
 * decides. Lives in the callee's SipApplicationSession (attribute
 * {@link SessionAttributes#HELD_CALLS}), touched only under the container's per-session
 * serialisation: no locks of its own.
 */
final class HeldCall {

    /** The key of a held call: Call-ID, CSeq number and From tag (a merged request has the same key). */
    final String key;
    final org.sippush.application.call.HeldCall machine;
    final SipServletRequest invite;
    final Proxy proxy;
    /** Push settings of the devices of this call, by push identity. */
    final Map<String, PushSettings> devices;
    /** The call pushes sent, by device: their cancel goes to the same phone. */
    final Map<String, org.sippush.domain.push.PushMessage> pushes = new HashMap<>();
    /** The started branches, by contact key. */
    final Map<String, ProxyBranch> branches = new HashMap<>();
    final long heldAtNanos = System.nanoTime();
    /**
     * The caller's INVITE transaction in the SIP stack. Restcomm's proxy lets go of it (the
     * request's transaction becomes null) once no branch transaction is left, e.g. after the
     * container cancelled them on the caller's CANCEL: the final answer then goes through this.
     */
    final javax.sip.ServerTransaction serverTransaction;
    String timerId;
    /** The timer that forgets the call when no iOS device woke for it late (see {@link SessionAttributes#ENDED_CALLS}). */
    String lateTimerId;
    /** While a woken phone's REGISTER delivers this call: when it reached the application (for the wake-up latency). */
    long wakeArrivalNanos;
    /** When the push wait ends: pushes sent after a grace time expire then too. */
    java.time.Instant pushExpires;

    HeldCall(String key, org.sippush.application.call.HeldCall machine, SipServletRequest invite, Proxy proxy,
             Map<String, PushSettings> devices) {
        this.key = key;
        this.machine = machine;
        this.invite = invite;
        this.proxy = proxy;
        this.devices = Map.copyOf(devices);
        this.serverTransaction = invite instanceof org.mobicents.servlet.sip.message.SipServletMessageImpl impl
                && impl.getTransaction() instanceof javax.sip.ServerTransaction tx ? tx : null;
    }

    static String keyOf(SipServletRequest invite) {
        String cseq = invite.getHeader("CSeq");
        String number = cseq == null ? "" : SipAddresses.firstWord(cseq);
        String tag = invite.getFrom().getParameter("tag");
        return invite.getCallId() + " " + number + " " + (tag == null ? "" : tag);
    }
}
