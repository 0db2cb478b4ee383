package org.sippush.interfaces.sip;

import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;

import org.sippush.application.Services;

/** Counts live SipApplicationSessions, so that the status page shows whether calls leak. */
public class SessionCounter implements SipApplicationSessionListener {

    @Override
    public void sessionCreated(SipApplicationSessionEvent event) {
        Services services = Services.of(event.getApplicationSession());
        if (services != null) {
            services.metrics().sessionCreated();
        }
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent event) {
        Services services = Services.of(event.getApplicationSession());
        if (services != null) {
            services.metrics().sessionDestroyed();
        }
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent event) {
        // the container invalidates it next (sessionDestroyed)
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent event) {
        // invalidateWhenReady does the rest
    }
}
