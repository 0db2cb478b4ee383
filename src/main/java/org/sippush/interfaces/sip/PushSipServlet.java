package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;

import javax.servlet.ServletException;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.annotation.SipApplicationKey;

import org.mobicents.javax.servlet.sip.SipSessionsUtilExt;
import org.sippush.application.RegisterOutcome;
import org.sippush.application.RegisterRequest;
import org.sippush.application.Registrar;
import org.sippush.application.RegisterOutcome.IntervalTooBrief;
import org.sippush.application.RegisterOutcome.Refused;
import org.sippush.application.RegisterOutcome.Registered;
import org.sippush.application.Services;
import org.sippush.application.auth.DigestAuthenticator;
import org.sippush.domain.binding.Binding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP side: the registrar ({@code doRegister}) and calls ({@code doInvite}, through
 * {@link CallRouter}). It reads the request, lets the application decide, and answers; the only
 * state is what {@link CallRouter} keeps in SipApplicationSessions.
 */
public class PushSipServlet extends SipServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PushSipServlet.class);
    private static final javax.sip.header.HeaderFactory HEADERS = headerFactory();
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private transient Services services;
    private transient CallRouter calls;
    private transient MessageRouter messages;
    /** Set when the server (or this application) stops: new requests get 503. */
    private volatile boolean stopping;

    private static javax.sip.header.HeaderFactory headerFactory() {
        try {
            return javax.sip.SipFactory.getInstance().createHeaderFactory();
        } catch (javax.sip.PeerUnavailableException e) {
            throw new IllegalStateException("The container's SIP stack has no header factory", e);
        }
    }

    @Override
    public void init() throws ServletException {
        super.init();
        services = (Services) getServletContext().getAttribute(Services.ATTRIBUTE);
        if (services == null) {
            throw new ServletException("The application did not start: see the log of ApplicationLifecycle");
        }
        calls = new CallRouter(services, (SipFactory) getServletContext().getAttribute(SIP_FACTORY),
                (TimerService) getServletContext().getAttribute(TIMER_SERVICE),
                (SipSessionsUtilExt) getServletContext().getAttribute(SIP_SESSIONS_UTIL));
        getServletContext().setAttribute(CallRouter.ATTRIBUTE, calls);
        getServletContext().setAttribute(DRAIN_ATTRIBUTE, (java.util.function.Supplier<String>) this::drain);
        messages = new MessageRouter(services, (SipFactory) getServletContext().getAttribute(SIP_FACTORY));
    }

    /**
     * The servlet context attribute the container's stop listener calls before anything stops
     * ({@code org.sippush.launcher.GracefulStop}): a {@code Supplier<String>} that drains this
     * application and says what it did.
     */
    public static final String DRAIN_ATTRIBUTE = "org.sippush.drain";
    /** Retry-After of a 503 sent when the application's services are already gone. */
    private static final long DEFAULT_RETRY_AFTER_SECONDS = 20;

    @Override
    public void destroy() {
        drain();  // the console's stop or an undeploy: the SIP connectors are still up while servlets are destroyed
        getServletContext().removeAttribute(DRAIN_ATTRIBUTE);
        getServletContext().removeAttribute(CallRouter.ATTRIBUTE);
        super.destroy();
    }

    /**
     * Stops taking new work and finishes what was taken, within {@code shutdown.drain-seconds}:
     * new requests get 503 with Retry-After, every held call its final answer (503 with
     * Retry-After), stored messages already sent get their answer (and are deleted if it is a 2xx),
     * REGISTERs already received are committed and answered by the writers (they keep writing until
     * the database closes). Once only.
     */
    private synchronized String drain() {
        if (stopping) {
            return "already drained";
        }
        stopping = true;
        LOG.info("Stopping: new requests get 503; answering held calls and waiting for the answers to stored messages"
                + " already sent (at most {} s)", services.drainTime().toSeconds());
        long start = System.nanoTime();
        long deadline = start + services.drainTime().toNanos();
        int held = calls.endAllHeld();
        long left = calls.awaitNoneHeld(deadline);
        int unanswered = messages.awaitNoneInFlight(deadline);
        String summary = String.format("%d held call(s) answered 503 in %d ms%s%s", held,
                (System.nanoTime() - start) / 1_000_000, left == 0 ? "" : ", " + left + " still held at the end of the drain time",
                unanswered == 0 ? "" : ", " + unanswered + " stored message(s) sent and not answered (kept for the next registration)");
        LOG.info("Stopping: {}", summary);
        return summary;
    }

    /**
     * JSR 289 §15.11: requests about one address-of-record (its REGISTERs, the calls to it) share
     * one SipApplicationSession, so the container serialises them.
     */
    @SipApplicationKey
    public static String sessionKey(SipServletRequest request) {
        try {
            return SipAddresses.addressOfRecord(request.getTo().getURI());
        } catch (BadRequest e) {
            return "invalid:" + request.getCallId();
        }
    }

    /**
     * Every new request from a source over its rate gets 503 with Retry-After before anything
     * else is done for it (trusted peers are not limited; ACK and CANCEL belong to a request
     * already accepted).
     */
    @Override
    protected void doRequest(SipServletRequest request) throws ServletException, IOException {
        String method = request.getMethod();
        if ((stopping || services == null) && !"ACK".equals(method) && !"CANCEL".equals(method)) {
            // stopping, or an instance the container made while the application stops (no services)
            if (request.isInitial() || services == null) {
                SipServletResponse busy = request.createResponse(SipServletResponse.SC_SERVICE_UNAVAILABLE,
                        "Server shutting down");
                busy.setHeader("Retry-After", Long.toString(services == null ? DEFAULT_RETRY_AFTER_SECONDS
                        : services.drainTime().toSeconds()));
                busy.send();
                return;
            }
        }
        if (request.isInitial() && !"ACK".equals(method) && !"CANCEL".equals(method)
                && !services.security().trustedPeers().trusts(request.getRemoteAddr())
                && !services.security().limits().allowRequestFrom(request.getRemoteAddr())) {
            SipServletResponse busy = request.createResponse(SipServletResponse.SC_SERVICE_UNAVAILABLE,
                    "Too many requests from this address");
            busy.setHeader("Retry-After", Long.toString(services.security().limits().requestsPerSource().secondsUntilNext()));
            busy.send();
            services.metrics().sipResponse(method, SipServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        super.doRequest(request);
    }

    @Override
    protected void doRegister(SipServletRequest request) throws ServletException, IOException {
        long arrival = System.nanoTime();
        try {
            if (!(request.getTo().getURI() instanceof SipURI to) || !services.serves(to.getHost())) {
                send(request, 403, "Domain not served here");
                return;
            }
            String aor = SipAddresses.addressOfRecord(to);
            if (services.security().authentication()
                    && !authorized(request, "Authorization", aor, to.getHost(), "This user does not own the address-of-record")) {
                return;
            }
            RegisterRequest register = RegisterReader.read(request, aor, services.pushAppConfigured());
            Registrar.Decision decision = services.registrar().decide(register);
            if (decision.refused()) {
                answer(request, decision.refusal());
                return;
            }
            calls.deliverHeldCalls(request.getApplicationSession(), decision.granted(), arrival);
            RegisterOutcome outcome = services.registrar().apply(register, decision.granted());
            answer(request, outcome);
            if (outcome instanceof Registered) {
                messages.deliverStored(request.getApplicationSession(), aor, decision.granted());
            }
        } catch (BadRequest e) {
            LOG.debug("REGISTER refused ({} {}) from {}", e.status(), e.getMessage(), request.getRemoteAddr());
            SipServletResponse response = request.createResponse(e.status(), e.getMessage());
            response.addHeader("Warning", "399 " + hostOf(request) + " \"" + e.getMessage().replace('"', '\'') + "\"");
            response.send();
            services.metrics().sipResponse("REGISTER", e.status());
            services.metrics().registration("refused");
        } catch (RuntimeException e) {
            LOG.error("REGISTER for {} failed; nothing was changed", request.getTo(), e);
            send(request, 500, "Registrar storage unavailable");
        }
    }

    /**
     * Digest authentication (RFC 3261 §22): true when the request carries the credentials of the
     * subscriber who owns {@code aor}; otherwise the request has been answered (401/407 with a
     * challenge, 400 for unreadable credentials, 403 for another user's address).
     *
     * @param header Authorization (registrar, 401) or Proxy-Authorization (proxy, 407)
     */
    private boolean authorized(SipServletRequest request, String header, String aor, String domain, String notOwner)
            throws IOException {
        List<String> credentials = new ArrayList<>();
        request.getHeaders(header).forEachRemaining(credentials::add);
        DigestAuthenticator digest = services.security().digest();
        DigestAuthenticator.Result result = digest.authenticate(request.getMethod(), credentials, domain);
        if (result instanceof DigestAuthenticator.Authenticated authenticated) {
            if (authenticated.subscriber().aor().equals(aor)) {
                return true;
            }
            LOG.info("{} from {}: {} authenticated for {}: 403", request.getMethod(), request.getRemoteAddr(),
                    authenticated.subscriber().aor(), aor);
            send(request, SipServletResponse.SC_FORBIDDEN, notOwner);
            return false;
        }
        if (result instanceof DigestAuthenticator.Malformed malformed) {
            send(request, SipServletResponse.SC_BAD_REQUEST, malformed.reason());
            return false;
        }
        DigestAuthenticator.Challenge challenge = (DigestAuthenticator.Challenge) result;
        if (!credentials.isEmpty()) {
            LOG.info("{} for {} from {} challenged again: {}", request.getMethod(), aor, request.getRemoteAddr(),
                    challenge.why());
        }
        boolean proxy = header.startsWith("Proxy");
        SipServletResponse response = request.createResponse(proxy ? SipServletResponse.SC_PROXY_AUTHENTICATION_REQUIRED
                : SipServletResponse.SC_UNAUTHORIZED);
        for (String value : digest.challenge(domain, challenge.stale())) {
            addStackHeader(response, proxy ? "Proxy-Authenticate" : "WWW-Authenticate", value);
        }
        response.send();
        services.metrics().sipResponse(request.getMethod(), response.getStatus());
        return false;
    }

    /**
     * Adds one header to the stack's message. Restcomm's {@code addHeader} keeps only the last
     * WWW-Authenticate (RFC 3261 §20.44 allows several, one per algorithm) and refuses system
     * headers such as Path.
     */
    private static void addStackHeader(SipServletResponse response, String name, String value) {
        if (response instanceof org.mobicents.servlet.sip.message.SipServletMessageImpl impl) {
            try {
                impl.getMessage().addLast(HEADERS.createHeader(name, value));
                return;
            } catch (java.text.ParseException | javax.sip.SipException e) {
                throw new IllegalStateException("Cannot add " + name + " header", e);
            }
        }
        response.addHeader(name, value);
    }

    /**
     * INVITE and MESSAGE: a trusted peer's are accepted as they are; anyone else must be a
     * subscriber of a domain served here, authenticated as the user in From (RFC 3261 §22.3).
     */
    private boolean callerAccepted(SipServletRequest request) throws IOException {
        if (!services.security().authentication() || services.security().trustedPeers().trusts(request.getRemoteAddr())) {
            return true;
        }
        if (!(request.getFrom().getURI() instanceof SipURI from) || !services.serves(from.getHost())) {
            send(request, SipServletResponse.SC_FORBIDDEN, "Caller is not a subscriber here and not a trusted peer");
            return false;
        }
        String aor;
        try {
            aor = SipAddresses.addressOfRecord(from);
        } catch (BadRequest e) {
            send(request, e.status(), "From: " + e.getMessage());
            return false;
        }
        return authorized(request, "Proxy-Authorization", aor, from.getHost(), "Credentials do not match the From user");
    }

    private void answer(SipServletRequest request, RegisterOutcome outcome) throws IOException, ServletParseException {
        if (outcome instanceof Registered registered) {
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            Instant now = registered.now();
            for (Binding binding : registered.bindings()) {
                // pn-* parameters carry the push token: never shown (RFC 3261 §19.1.4 compares URIs
                // without the parameters one side lacks, so the phone still finds its own contact)
                ok.addHeader("Contact", "<" + SipAddresses.withoutPushParameters(binding.contactUri()) + ">;expires="
                        + binding.secondsLeft(now));
            }
            ok.setHeader("Date", RFC_1123.format(now));
            String pns = request.getHeader("Contact") == null ? null : pushServiceOf(request);
            if (pns != null) {
                // RFC 8599 §5: tell the phone this proxy will wake it through that service
                ok.setHeader("Feature-Caps", "*;+sip.pns=\"" + pns + "\"");
            }
            if (RegisterReader.supports(request, "path")) {
                // RFC 3327 §5.3: the Path stored, as the phone's proxies may check it
                for (ListIterator<String> path = request.getHeaders("Path"); path.hasNext(); ) {
                    addStackHeader(ok, "Path", path.next());
                }
            }
            if (outboundUsed(request)) {
                addStackHeader(ok, "Require", "outbound");  // RFC 5626 §6: the flow is kept for the phone
            }
            ok.send();
            services.metrics().sipResponse("REGISTER", SipServletResponse.SC_OK);
            services.metrics().registration("registered");
        } else if (outcome instanceof IntervalTooBrief brief) {
            SipServletResponse response = request.createResponse(SipServletResponse.SC_INTERVAL_TOO_BRIEF);
            response.setHeader("Min-Expires", Integer.toString(brief.minExpires()));
            response.send();
            services.metrics().sipResponse("REGISTER", SipServletResponse.SC_INTERVAL_TOO_BRIEF);
            services.metrics().registration("interval-too-brief");
        } else if (outcome instanceof Refused refused) {
            send(request, refused.status(), refused.reason());
            services.metrics().registration("refused");
        }
    }

    @Override
    protected void doInvite(SipServletRequest request) throws ServletException, IOException {
        if (!request.isInitial()) {
            return;  // re-INVITEs follow the record-routed dialog through the container
        }
        try {
            if (!callerAccepted(request)) {
                return;
            }
            calls.route(request);
        } catch (RuntimeException e) {
            LOG.error("INVITE {} for {} failed", request.getCallId(), request.getTo(), e);
            if (!request.isCommitted()) {
                send(request, 500, "Call routing failed");
            }
        }
    }

    @Override
    protected void doMessage(SipServletRequest request) throws ServletException, IOException {
        if (!request.isInitial() || !callerAccepted(request)) {
            return;
        }
        try {
            messages.route(request);
        } catch (RuntimeException e) {
            LOG.error("MESSAGE {} for {} failed", request.getCallId(), request.getTo(), e);
            if (!request.isCommitted()) {
                send(request, 500, "Message routing failed");
            }
        }
    }

    @Override
    protected void doCancel(SipServletRequest cancel) throws ServletException, IOException {
        calls.onCancel(cancel);
    }

    @Override
    protected void doProvisionalResponse(SipServletResponse response) throws ServletException, IOException {
        services.metrics().sipResponse(response.getMethod(), response.getStatus());  // relayed to the caller
        if ("INVITE".equals(response.getMethod())) {
            calls.onProvisional(response);
        }
    }

    @Override
    protected void doSuccessResponse(SipServletResponse response) throws ServletException, IOException {
        services.metrics().sipResponse(response.getMethod(), response.getStatus());  // relayed to the caller
        if ("INVITE".equals(response.getMethod())) {
            calls.onFinal(response);
        } else if ("MESSAGE".equals(response.getMethod())) {
            messages.onResponse(response);
        }
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) throws ServletException, IOException {
        if ("INVITE".equals(response.getMethod())) {
            calls.onFinal(response);
        } else if ("MESSAGE".equals(response.getMethod())) {
            messages.onResponse(response);
        }
    }

    @Override
    protected void doBranchResponse(SipServletResponse response) throws ServletException, IOException {
        if ("INVITE".equals(response.getMethod())) {
            calls.onFinal(response);  // a branch of a held call ended; the held call decides
        }
    }

    /** Whether the REGISTER asked for outbound and got it (RFC 5626 §6: a Contact with reg-id, no Path). */
    private static boolean outboundUsed(SipServletRequest request) throws ServletParseException {
        if (!RegisterReader.supports(request, "outbound") || request.getHeader("Path") != null) {
            return false;
        }
        for (var contacts = request.getAddressHeaders("Contact"); contacts.hasNext(); ) {
            var address = contacts.next();
            if (!address.isWildcard() && address.getParameter("reg-id") != null && address.getParameter("+sip.instance") != null) {
                return true;
            }
        }
        return false;
    }

    /** The pn-provider of the REGISTER's RFC 8599 contact, if it has one. */
    private static String pushServiceOf(SipServletRequest request) throws ServletParseException {
        for (var contacts = request.getAddressHeaders("Contact"); contacts.hasNext(); ) {
            var address = contacts.next();
            if (!address.isWildcard() && address.getURI() instanceof SipURI uri && uri.getParameter("pn-provider") != null) {
                return uri.getParameter("pn-provider").toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    @Override
    protected void doOptions(SipServletRequest request) throws ServletException, IOException {
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setHeader("Allow", "REGISTER, INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE");
        ok.send();
        services.metrics().sipResponse("OPTIONS", SipServletResponse.SC_OK);
    }

    private void send(SipServletRequest request, int status, String reason) throws IOException {
        request.createResponse(status, reason).send();
        services.metrics().sipResponse(request.getMethod(), status);
    }

    private static String hostOf(SipServletRequest request) {
        return request.getLocalAddr() == null ? "sip-push-server" : request.getLocalAddr().toLowerCase(Locale.ROOT);
    }
}
