package org.sippush.launcher;

import java.util.function.Supplier;

import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.log4j.Logger;
import org.mobicents.servlet.sip.catalina.SipProtocolHandler;
import org.mobicents.servlet.sip.catalina.SipStandardService;
import org.mobicents.servlet.sip.core.MobicentsExtendedListeningPoint;

/**
 * Drains the applications before the container stops anything (a {@code <Listener>} of the SIP
 * {@code <Service>} in {@code conf/server.xml}). Tomcat's shutdown hook (SIGTERM, Ctrl-C) stops
 * the service; before its connectors pause, each application that offers a drain (a
 * {@code Supplier<String>} in its servlet context attribute {@code org.sippush.drain}) is asked to
 * answer its held calls and refuse new requests, while SIP still flows both ways. The application
 * bounds its own drain ({@code shutdown.drain-seconds}).
 * <p>
 * Then no new request reaches the container: the SIP stack stops handing requests to Restcomm's
 * dispatcher (it keeps sending, so REGISTERs already taken are still answered once committed).
 * Without that, a request arriving while the application stops would get the container's own
 * {@code 404 Not found} (no application to route it to), which tells a phone its user does not
 * exist; silence makes it retry, at this node once it is back or at another one.
 */
public final class GracefulStop implements LifecycleListener {

    private static final Logger LOG = Logger.getLogger(GracefulStop.class);
    static final String DRAIN_ATTRIBUTE = "org.sippush.drain";

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (!Lifecycle.BEFORE_STOP_EVENT.equals(event.getType()) || !(event.getLifecycle() instanceof Service service)) {
            return;
        }
        Container engine = service.getContainer();
        if (engine == null) {
            return;
        }
        for (Container host : engine.findChildren()) {
            for (Container child : host.findChildren()) {
                if (child instanceof Context context && context.getServletContext() != null
                        && context.getServletContext().getAttribute(DRAIN_ATTRIBUTE) instanceof Supplier<?> drain) {
                    try {
                        LOG.info("Draining " + context.getName() + ": " + drain.get());
                    } catch (RuntimeException e) {
                        LOG.warn("Draining " + context.getName() + " failed", e);
                    }
                }
            }
        }
        if (service instanceof SipStandardService sip && sip.getSipApplicationDispatcher() != null) {
            int stopped = 0;
            for (Connector connector : sip.findConnectors()) {
                if (connector.getProtocolHandler() instanceof SipProtocolHandler handler
                        && handler.getAttribute("ExtendedListeningPoint") instanceof MobicentsExtendedListeningPoint point
                        && point.getSipProvider() != null) {
                    point.getSipProvider().removeSipListener(sip.getSipApplicationDispatcher());
                    stopped++;
                }
            }
            LOG.info("SIP: " + stopped + " listening point(s) take no new request; answers still go out");
        }
    }
}
