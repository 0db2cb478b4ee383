package org.sippush.interfaces.sip;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.TimerListener;

/** The push-wait timer of a held call fired: its {@code info} is the Call-ID (only an id). */
public class PushWaitTimer implements TimerListener {

    @Override
    public void timeout(ServletTimer timer) {
        CallRouter router = CallRouter.installed();
        if (router != null && timer.getApplicationSession().isValid()) {
            router.onPushWaitOver(timer);
        }
    }
}
