package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.TimerService;

import org.sippush.application.call.CallAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * iOS stop-ringing: calls that ended while an iPhone they pushed may still wake for them. Such a
 * call stays in the callee's SipApplicationSession ({@link SessionAttributes#ENDED_CALLS}) for the
 * push wait after its end; an iPhone that registers meanwhile gets the INVITE its VoIP push
 * announced (CallKit must show a call for every VoIP push) and then a CANCEL with the Reason the
 * call ended with. Touched only under the session's serialisation, like held calls.
 */
final class LateWakes {

    private static final Logger LOG = LoggerFactory.getLogger(LateWakes.class);
    /** The info suffix of the timer that forgets an ended call no late iPhone woke for. */
    private static final String TIMER = "#late";

    private final SipFactory sipFactory;
    private final TimerService timers;
    private final Routes routes;
    private final Duration window;

    LateWakes(SipFactory sipFactory, TimerService timers, Routes routes, Duration window) {
        this.sipFactory = sipFactory;
        this.timers = timers;
        this.routes = routes;
        this.window = window;
    }

    /** A call that has just ended: kept for {@code window} if an iPhone it pushed may still wake. */
    void keep(SipApplicationSession sas, HeldCall call) {
        if (call.machine.waitsForLateWake() && sas.isValid()) {
            endedCalls(sas).put(call.key, call);
            call.lateTimerId = timers.createTimer(sas, window.toMillis(), false, call.key + TIMER).getId();
        }
    }

    /** The ended calls kept in this session. */
    static List<HeldCall> ended(SipApplicationSession sas) {
        Map<String, HeldCall> ended = existingEndedCalls(sas);
        return ended == null ? List.of() : List.copyOf(ended.values());
    }

    static boolean isTimer(String info) {
        return info.endsWith(TIMER);
    }

    /** The window of an ended call is over: forget it. */
    static void timerFired(SipApplicationSession sas, String info) {
        Map<String, HeldCall> ended = existingEndedCalls(sas);
        HeldCall call = ended == null ? null : ended.get(info.substring(0, info.length() - TIMER.length()));
        if (call != null) {
            call.lateTimerId = null;
            forgetEnded(sas, call);
        }
    }

    /**
     * An iPhone woke for a call that has ended: the INVITE (same Call-ID, From, To and body) goes to
     * its new contact on a UAC leg of its own, and the CANCEL follows its first provisional response
     * ({@link #response}).
     */
    void ringThenCancel(SipApplicationSession sas, HeldCall call, CallAction.RingThenCancel late) {
        String reason = "SIP;cause=" + late.cause() + ";text=\"" + late.text().replace("\"", "'") + "\"";
        try {
            SipServletRequest invite = sipFactory.createRequest(call.invite, true);
            invite.setRequestURI(sipFactory.createURI(late.contactUri()));
            invite.removeHeader("Proxy-Authorization");  // the caller's credentials are for us, not the phone
            invite.removeHeader("Authorization");
            // the clone keeps the caller's Route (to this server): the phone's leg starts here
            ((org.mobicents.servlet.sip.message.SipServletMessageImpl) invite).getMessage().removeHeader("Route");
            routes.push(invite, late.route());
            invite.getSession().setAttribute(SessionAttributes.LATE_WAKE_REASON, reason);
            invite.send();
            LOG.info("Call {} had ended ({}): INVITE then CANCEL to the late-woken phone at {}", call.machine.callId(),
                    reason, SipAddresses.forLog(late.contactUri()));
        } catch (ServletParseException | IOException | RuntimeException e) {
            LOG.warn("Call {}: cannot tell the late-woken phone at {} that the call ended: {}", call.machine.callId(),
                    SipAddresses.forLog(late.contactUri()), CallRouter.rootMessage(e));
        }
        if (!call.machine.waitsForLateWake()) {
            forgetEnded(sas, call);
        }
    }

    private static void forgetEnded(SipApplicationSession sas, HeldCall call) {
        Map<String, HeldCall> ended = existingEndedCalls(sas);
        if (ended != null && ended.remove(call.key) != null && ended.isEmpty() && sas.isValid()) {
            sas.removeAttribute(SessionAttributes.ENDED_CALLS);
        }
        if (call.lateTimerId != null && sas.isValid()) {
            ServletTimer timer = sas.getTimer(call.lateTimerId);
            if (timer != null) {
                timer.cancel();
            }
        }
        call.lateTimerId = null;
    }

    /**
     * A response to the INVITE sent to a late-woken iPhone (RFC 3261 §9.1: CANCEL only after a
     * provisional response): the first provisional gets the CANCEL with the call's Reason; a 2xx
     * that came first is acknowledged and ended with a BYE carrying it. Returns false for any other
     * response.
     */
    static boolean response(SipServletResponse response) {
        javax.servlet.sip.SipSession session = response.getSession();
        Object reason = session == null || !session.isValid() ? null : session.getAttribute(SessionAttributes.LATE_WAKE_REASON);
        if (!(reason instanceof String value)) {
            return false;
        }
        int status = response.getStatus();
        try {
            if (status < 200) {
                if (session.getAttribute(SessionAttributes.LATE_WAKE_CANCELLED) == null) {
                    session.setAttribute(SessionAttributes.LATE_WAKE_CANCELLED, Boolean.TRUE);
                    SipServletRequest cancel = response.getRequest().createCancel();
                    cancel.setHeader("Reason", value);
                    cancel.send();
                }
            } else if (status < 300) {
                response.createAck().send();
                SipServletRequest bye = session.createRequest("BYE");
                bye.setHeader("Reason", value);
                bye.send();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot end the late-woken phone's call {} ({}): {}", response.getCallId(), status, CallRouter.rootMessage(e));
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, HeldCall> existingEndedCalls(SipApplicationSession sas) {
        return sas == null || !sas.isValid() ? null : (Map<String, HeldCall>) sas.getAttribute(SessionAttributes.ENDED_CALLS);
    }

    private static Map<String, HeldCall> endedCalls(SipApplicationSession sas) {
        Map<String, HeldCall> calls = existingEndedCalls(sas);
        if (calls == null) {
            calls = new HashMap<>();
            sas.setAttribute(SessionAttributes.ENDED_CALLS, calls);
        }
        return calls;
    }

}
