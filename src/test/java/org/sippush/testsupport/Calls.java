package org.sippush.testsupport;

import java.time.Duration;

import javax.sip.RequestEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Message;
import javax.sip.message.Response;

/** A call finished the way phones finish it, checked at both ends. */
public final class Calls {

    private Calls() {
    }

    public static String callId(Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    /**
     * The callee rings and answers the INVITE it received; the caller gets the 200, ACKs (the callee
     * sees the ACK) and hangs up (the callee answers the BYE). Throws AssertionError when a step
     * does not happen within {@code timeout}.
     */
    public static void answerAndHangUp(SipPhone caller, SipPhone.Sent invite, SipPhone callee, RequestEvent incoming,
                                       Duration timeout) {
        callee.respond(incoming, 180);
        callee.respond(incoming, 200, "Contact: <sip:callee@" + callee.host() + ":" + callee.port() + ">");
        Response ok = invite.join(timeout);
        check(ok.getStatusCode() == 200, "caller got " + ok.getStatusCode() + " instead of 200");
        caller.ack(ok);
        RequestEvent ack = callee.awaitRequest("ACK", timeout);
        check(callId(ok).equals(callId(ack.getRequest())), "ACK of another call");
        SipPhone.Sent bye = caller.bye(ok);
        RequestEvent byeAtCallee = callee.awaitRequest("BYE", timeout);
        check(callId(ok).equals(callId(byeAtCallee.getRequest())), "BYE of another call");
        callee.respond(byeAtCallee, 200);
        Response byeOk = bye.join(timeout);
        check(byeOk.getStatusCode() == 200, "BYE answered " + byeOk.getStatusCode());
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }
}
