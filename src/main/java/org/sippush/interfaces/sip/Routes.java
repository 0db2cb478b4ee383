package org.sippush.interfaces.sip;

import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How requests reach a registered contact that is not directly reachable at its URI: through the
 * proxies of its RFC 3327 Path, or the flow of a phone behind NAT or on RFC 5626 outbound. A route
 * is a comma-separated list of SIP URIs, top first, pushed as Route headers (loose routing).
 */
final class Routes {

    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);

    private final SipFactory sipFactory;

    Routes(SipFactory sipFactory) {
        this.sipFactory = sipFactory;
    }

    /**
     * The loose routes to a contact, comma-separated, top first: its RFC 3327 Path when it registered
     * through proxies; else the address a phone behind NAT (or on an RFC 5626 flow) registered from
     * (see {@link SipAddresses#natRoute}); else null.
     */
    static String to(URI contact, String received, String path) {
        if (path != null) {
            return path;
        }
        return contact instanceof SipURI sip ? SipAddresses.natRoute(sip, received) : null;
    }

    /** Sends the branch's request through {@code route} (see {@link #to}). */
    void route(ProxyBranch branch, String route) {
        push(branch.getRequest(), route);
    }

    /** Pushes the comma-separated routes so that the first is on top. */
    void push(SipServletRequest request, String route) {
        if (route == null) {
            return;
        }
        String[] hops = route.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            try {
                request.pushRoute((SipURI) sipFactory.createURI(hops[i].trim()));
            } catch (ServletParseException | RuntimeException e) {
                LOG.warn("Cannot route a request through {}: {}", SipAddresses.forLog(hops[i]), e.toString());
            }
        }
    }

}
