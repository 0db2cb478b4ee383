package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

import org.sippush.application.Services;
import org.sippush.application.message.IncomingMessage;
import org.sippush.application.message.MessageDecision;
import org.sippush.application.message.MessageDevices;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.message.StoredMessage;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MESSAGE (RFC 3428), the SIP side: it reads the request, lets
 * {@link org.sippush.application.message.InstantMessages} decide, and carries the decision out
 * (proxy, refuse, or answer 202 after the message is stored, push the sleeping devices, send it to
 * the awake ones). Stored messages go to a device one at a time, oldest first, each as a new MESSAGE
 * from the original sender: the next is sent only after the device answered 2xx to the previous one;
 * any other answer (or a timeout, which the container reports as 408) keeps the rest for the device's
 * next registration. The devices a delivery is under way to are kept in the user's
 * SipApplicationSession (whose events the container serialises), so a re-REGISTER during a delivery
 * does not start a second one.
 */
final class MessageRouter {

    private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    /** Attributes of the SipSession of one delivery (a MESSAGE sent by this server). */
    private static final String MESSAGE_ID = "sippush.message.id";
    private static final String DEVICE = "sippush.message.device";
    private static final String AOR = "sippush.message.aor";
    private static final String CONTACT = "sippush.message.contact";
    private static final String ROUTE = "sippush.message.route";

    private final Services services;
    private final SipFactory sipFactory;
    /** Stored messages sent and not yet answered (a final response, real or the stack's timeout). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Set by the drain: deliveries under way finish, no new one starts. */
    private volatile boolean stopping;
    private final Routes routes;

    MessageRouter(Services services, SipFactory sipFactory) {
        this.services = services;
        this.sipFactory = sipFactory;
        this.routes = new Routes(sipFactory);
    }

    /** An initial MESSAGE from a caller already accepted (authenticated or trusted). */
    void route(SipServletRequest message) throws IOException, ServletException {
        String aor = CallRouter.calleeOrAnswer(message, services);
        if (aor == null) {
            return;
        }
        SipURI to = (SipURI) message.getTo().getURI();
        List<Binding> live = services.bindings().live(aor, java.time.Instant.now());
        byte[] body = message.getRawContent();
        if (live.isEmpty() && (body == null || body.length <= services.messages().policy().maxBodyBytes())) {
            if (services.bindings().isKnown(aor)) {
                message.createResponse(SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, "No registered device").send();
            } else {
                message.createResponse(SipServletResponse.SC_NOT_FOUND, "Unknown user").send();
            }
            return;
        }
        int expires = message.getExpires();
        IncomingMessage incoming = new IncomingMessage(aor, message.getCallId(), message.getFrom().getURI().toString(),
                message.getFrom().getDisplayName(), to.toString(), message.getContentType(), body,
                expires > 0 ? Duration.ofSeconds(expires) : null);
        MessageDecision decision = services.messages().accept(incoming, live);
        if (decision instanceof MessageDecision.Refuse refuse) {
            LOG.info("MESSAGE {} for {} refused: {} {}", message.getCallId(), aor, refuse.status(), refuse.reason());
            message.createResponse(refuse.status(), refuse.reason()).send();
        } else if (decision instanceof MessageDecision.Proxy proxy) {
            proxy(message, proxy.targets());
        } else {
            MessageDecision.Stored stored = (MessageDecision.Stored) decision;
            message.createResponse(SipServletResponse.SC_ACCEPTED).send();
            LOG.info("MESSAGE {} for {} stored as {} ({} bytes, {} waiting): {} push(es), {} awake device(s)",
                    message.getCallId(), aor, stored.message().id(), stored.message().size(), stored.waiting(),
                    stored.pushes().size(), stored.deliverNow().size());
            for (PushMessage push : stored.pushes()) {
                push(push);
            }
            for (Binding awake : stored.deliverNow()) {
                deliver(message.getApplicationSession(), aor, MessageDevices.of(awake), awake.contactUri(),
                        route(awake.contactUri(), awake.received(), awake.path()));
            }
        }
    }

    /** To every target at once, each through its Path or NAT route; the best answer goes back. */
    private void proxy(SipServletRequest message, List<Binding> targets) throws IOException, ServletException {
        Proxy proxy = message.getProxy();
        proxy.setRecordRoute(false);
        proxy.setParallel(true);
        proxy.setSupervised(false);
        for (Binding binding : targets) {
            for (javax.servlet.sip.ProxyBranch branch : proxy.createProxyBranches(
                    List.of(sipFactory.createURI(binding.contactUri())))) {
                routes.route(branch, route(binding.contactUri(), binding.received(), binding.path()));
            }
        }
        proxy.startProxy();
    }

    /** The loose routes to a contact ({@link Routes#to}), or null. */
    private String route(String contact, String received, String path) throws ServletParseException {
        return Routes.to(sipFactory.createURI(contact), received, path);
    }

    private void push(PushMessage push) {
        if (!services.security().limits().allowPushTo(push.target().identityKey())) {
            LOG.info("No push to {} for message {} (limits.pushes-per-device-per-minute reached); it waits for the"
                    + " phone's next registration", PushSettings.mask(push.token()), push.callId());
            return;
        }
        services.pushes().dispatch(push).thenAccept(outcome -> {
            if (!(outcome instanceof PushOutcome.Accepted)) {
                LOG.info("Message push {} to {} not taken: {}", push.pushId(), PushSettings.mask(push.token()), outcome);
            }
        });
    }

    /**
     * A REGISTER was written: each device it registered takes its waiting messages at the contact it
     * just registered.
     */
    void deliverStored(SipApplicationSession sas, String aor, List<Contact> contacts) {
        for (Contact contact : contacts) {
            if (contact.expires() > 0) {
                String route;
                try {
                    route = route(contact.uri(), contact.received(), contact.path());
                } catch (ServletParseException e) {
                    continue;  // the registrar accepted it: not expected
                }
                deliver(sas, aor, MessageDevices.of(contact), contact.uri(), route);
            }
        }
    }

    /** Starts a delivery to the device unless one is under way. */
    private void deliver(SipApplicationSession sas, String aor, String device, String contact, String route) {
        Set<String> active = deliveries(sas);
        if (active.add(device)) {
            sas.setAttribute(SessionAttributes.MESSAGE_DELIVERIES, active);
            sendNext(sas, aor, device, contact, route);
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> deliveries(SipApplicationSession sas) {
        Object set = sas.getAttribute(SessionAttributes.MESSAGE_DELIVERIES);
        return set == null ? new HashSet<>() : (Set<String>) set;
    }

    private static void finished(SipApplicationSession sas, String device) {
        if (sas.isValid()) {
            Set<String> active = deliveries(sas);
            active.remove(device);
            sas.setAttribute(SessionAttributes.MESSAGE_DELIVERIES, active);
        }
    }

    /** Sends the device's oldest waiting message, or ends the delivery when there is none. */
    private void sendNext(SipApplicationSession sas, String aor, String device, String contact, String route) {
        if (stopping) {
            finished(sas, device);  // the rest waits for the device's next registration, here or at another node
            return;
        }
        Optional<StoredMessage> next;
        try {
            next = services.messages().next(aor, device);
        } catch (RuntimeException e) {
            LOG.warn("Stored messages for {} could not be read; they wait for the next registration", aor, e);
            finished(sas, device);
            return;
        }
        if (next.isEmpty()) {
            finished(sas, device);
            return;
        }
        StoredMessage message = next.get();
        try {
            SipServletRequest request = sipFactory.createRequest(sas, "MESSAGE",
                    sipFactory.createAddress(sipFactory.createURI(message.senderUri()),
                            message.senderName().isEmpty() ? null : message.senderName()),
                    sipFactory.createAddress(sipFactory.createURI(message.recipient())));
            request.setRequestURI(sipFactory.createURI(contact));
            routes.push(request, route);
            request.setHeader("Date", RFC_1123.format(message.receivedAt()));
            request.setContent(message.body(), message.contentType());
            SipSession session = request.getSession();
            session.setAttribute(MESSAGE_ID, message.id());
            session.setAttribute(DEVICE, device);
            session.setAttribute(AOR, aor);
            session.setAttribute(CONTACT, contact);
            if (route != null) {
                session.setAttribute(ROUTE, route);
            }
            inFlight.incrementAndGet();
            try {
                request.send();
            } catch (IOException | RuntimeException e) {
                answered();
                throw e;
            }
        } catch (IOException | ServletParseException | RuntimeException e) {
            LOG.warn("Stored message {} could not be sent to {}; it waits for the next registration: {}", message.id(),
                    SipAddresses.forLog(contact), e.toString());
            finished(sas, device);
        }
    }

    /**
     * A response to a MESSAGE this server sent; false when it is not one of its deliveries. A 2xx
     * removes the message for that device and sends the next; anything else ends the delivery.
     */
    boolean onResponse(SipServletResponse response) {
        SipSession session = response.getSession();
        Object id = session.getAttribute(MESSAGE_ID);
        if (!(id instanceof Long messageId)) {
            return false;
        }
        int status = response.getStatus();
        if (status < 200) {
            return true;
        }
        try {
            finalResponse(response, messageId, status);
        } finally {
            answered();
        }
        return true;
    }

    private void finalResponse(SipServletResponse response, long messageId, int status) {
        SipSession session = response.getSession();
        String device = (String) session.getAttribute(DEVICE);
        String aor = (String) session.getAttribute(AOR);
        String contact = (String) session.getAttribute(CONTACT);
        SipApplicationSession sas = response.getApplicationSession();
        if (status >= 300) {
            LOG.info("Stored message {} for {} kept: the device at {} answered {} {}", messageId, aor,
                    SipAddresses.forLog(contact), status, response.getReasonPhrase());
            finished(sas, device);
            return;
        }
        try {
            services.messages().delivered(messageId, device);
        } catch (RuntimeException e) {
            LOG.warn("Delivery of stored message {} for {} could not be recorded; the device may get it again", messageId,
                    aor, e);
            finished(sas, device);
            return;
        }
        LOG.debug("Stored message {} for {} delivered to {}", messageId, aor, SipAddresses.forLog(contact));
        sendNext(sas, aor, device, contact, (String) session.getAttribute(ROUTE));
    }

    private void answered() {
        inFlight.decrementAndGet();
    }

    /**
     * The server stops: no new delivery starts, and this waits (until {@code deadlineNanos}) for the
     * answers to the stored messages already sent, so that a message the phone took is deleted
     * before the database closes instead of being sent again after the restart. Returns how many
     * are still unanswered.
     */
    int awaitNoneInFlight(long deadlineNanos) {
        stopping = true;
        return (int) Drain.awaitNone(inFlight::get, deadlineNanos);
    }
}
