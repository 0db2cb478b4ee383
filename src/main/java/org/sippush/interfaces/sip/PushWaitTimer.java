package org.sippush.interfaces.sip;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.TimerListener;

/** The push-wait timer of a held call fired: its {@code info} is the Call-ID (only an id). */
public class PushWaitTimer implements TimerListener {

    @Override
    public void timeout(ServletTimer timer) {
        var session = timer.getApplicationSession();
        CallRouter router = session instanceof org.mobicents.servlet.sip.core.session.MobicentsSipApplicationSession mobicents
                && mobicents.getSipContext() != null
                ? (CallRouter) mobicents.getSipContext().getServletContext().getAttribute(CallRouter.ATTRIBUTE) : null;
        if (router != null && session.isValid()) {
            router.onPushWaitOver(timer);
        }
    }
}
