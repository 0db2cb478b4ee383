package org.sippush.application;

import java.util.List;
import java.util.Objects;

import org.sippush.domain.binding.BindingRepository;

/**
 * The application's services, built once per deployment by the lifecycle listener and shared by
 * the servlets.
 *
 * @param domains    the SIP domains this server is the registrar for (lower case)
 * @param registrar  the registrar
 * @param bindings   the binding store
 * @param pushes     the push dispatcher
 * @param pushWait   how long a call is held for a woken phone to re-register
 * @param pushAppConfigured whether phones of that app and provider can be woken (credentials exist)
 * @param security   authentication, trusted peers and limits
 * @param missedCallNotice whether a phone of that app gets a visible notice of a pushed call that
 *                   ended unanswered
 * @param pushGraceMillis how long a call to a phone of that app waits for its old contact to answer
 *                   before pushing (0: push at once)
 * @param metrics    the call counters the status page reads
 * @param drainTime  how long a stopping server waits for its held calls to be answered and its
 *                   REGISTERs and pushes in flight to finish ({@code shutdown.drain-seconds})
 * @param messages   instant messages to sleeping phones: stored, pushed, delivered on wake
 */
public record Services(List<String> domains, Registrar registrar, BindingRepository bindings,
                       PushDispatcher pushes, java.time.Duration pushWait,
                       java.util.function.Predicate<org.sippush.domain.binding.PushSettings> pushAppConfigured,
                       org.sippush.application.auth.Security security,
                       java.util.function.Predicate<org.sippush.domain.binding.PushSettings> missedCallNotice,
                       java.util.function.ToLongFunction<org.sippush.domain.binding.PushSettings> pushGraceMillis,
                       CallMetrics metrics, java.time.Duration drainTime,
                       org.sippush.application.message.InstantMessages messages) {

    /** The servlet context attribute that holds the services. */
    public static final String ATTRIBUTE = Services.class.getName();

    public Services {
        domains = List.copyOf(domains);
        Objects.requireNonNull(registrar, "registrar must not be null");
        Objects.requireNonNull(bindings, "bindings must not be null");
        Objects.requireNonNull(pushes, "pushes must not be null");
        Objects.requireNonNull(pushWait, "pushWait must not be null");
        Objects.requireNonNull(pushAppConfigured, "pushAppConfigured must not be null");
        Objects.requireNonNull(security, "security must not be null");
        Objects.requireNonNull(missedCallNotice, "missedCallNotice must not be null");
        Objects.requireNonNull(pushGraceMillis, "pushGraceMillis must not be null");
        Objects.requireNonNull(metrics, "metrics must not be null");
        Objects.requireNonNull(drainTime, "drainTime must not be null");
        Objects.requireNonNull(messages, "messages must not be null");
    }

    /**
     * The services of the application a SipApplicationSession belongs to: for the listeners the
     * container creates itself (timers, session counters), which have no other way in.
     */
    public static Services of(javax.servlet.sip.SipApplicationSession session) {
        if (session instanceof org.mobicents.servlet.sip.core.session.MobicentsSipApplicationSession mobicents
                && mobicents.getSipContext() != null) {
            return (Services) mobicents.getSipContext().getServletContext().getAttribute(ATTRIBUTE);
        }
        return null;
    }

    public boolean serves(String host) {
        return host != null && domains.contains(host.toLowerCase(java.util.Locale.ROOT));
    }
}
