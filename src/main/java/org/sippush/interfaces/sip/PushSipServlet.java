package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private transient Services services;
    private transient CallRouter calls;

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
        CallRouter.install(calls);
    }

    @Override
    public void destroy() {
        CallRouter.install(null);
        super.destroy();
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

    @Override
    protected void doRegister(SipServletRequest request) throws ServletException, IOException {
        long arrival = System.nanoTime();
        try {
            if (!(request.getTo().getURI() instanceof SipURI to) || !services.serves(to.getHost())) {
                send(request, 403, "Domain not served here");
                return;
            }
            String aor = SipAddresses.addressOfRecord(to);
            RegisterRequest register = RegisterReader.read(request, aor, services.pushAppConfigured());
            Registrar.Decision decision = services.registrar().decide(register);
            if (decision.refused()) {
                answer(request, decision.refusal());
                return;
            }
            calls.deliverHeldCalls(request.getApplicationSession(), decision.granted(), arrival);
            answer(request, services.registrar().apply(register, decision.granted()));
        } catch (BadRequest e) {
            LOG.debug("REGISTER refused ({} {}) from {}", e.status(), e.getMessage(), request.getRemoteAddr());
            SipServletResponse response = request.createResponse(e.status(), e.getMessage());
            response.addHeader("Warning", "399 " + hostOf(request) + " \"" + e.getMessage().replace('"', '\'') + "\"");
            response.send();
        } catch (RuntimeException e) {
            LOG.error("REGISTER for {} failed; nothing was changed", request.getTo(), e);
            send(request, 500, "Registrar storage unavailable");
        }
    }

    private void answer(SipServletRequest request, RegisterOutcome outcome) throws IOException, ServletParseException {
        if (outcome instanceof Registered registered) {
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            Instant now = registered.now();
            for (Binding binding : registered.bindings()) {
                ok.addHeader("Contact", "<" + binding.contactUri() + ">;expires=" + binding.secondsLeft(now));
            }
            ok.setHeader("Date", RFC_1123.format(now));
            String pns = request.getHeader("Contact") == null ? null : pushServiceOf(request);
            if (pns != null) {
                // RFC 8599 §5: tell the phone this proxy will wake it through that service
                ok.setHeader("Feature-Caps", "*;+sip.pns=\"" + pns + "\"");
            }
            ok.send();
        } else if (outcome instanceof IntervalTooBrief brief) {
            SipServletResponse response = request.createResponse(SipServletResponse.SC_INTERVAL_TOO_BRIEF);
            response.setHeader("Min-Expires", Integer.toString(brief.minExpires()));
            response.send();
        } else if (outcome instanceof Refused refused) {
            send(request, refused.status(), refused.reason());
        }
    }

    @Override
    protected void doInvite(SipServletRequest request) throws ServletException, IOException {
        if (!request.isInitial()) {
            return;  // re-INVITEs follow the record-routed dialog through the container
        }
        try {
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
        if (!request.isInitial()) {
            return;
        }
        calls.routeMessage(request);
    }

    @Override
    protected void doCancel(SipServletRequest cancel) throws ServletException, IOException {
        calls.onCancel(cancel);
    }

    @Override
    protected void doSuccessResponse(SipServletResponse response) throws ServletException, IOException {
        if ("INVITE".equals(response.getMethod())) {
            calls.onAnswered(response);
        }
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) throws ServletException, IOException {
        if ("INVITE".equals(response.getMethod())) {
            calls.onBestResponse(response);
        }
    }

    @Override
    protected void doBranchResponse(SipServletResponse response) throws ServletException, IOException {
        // a branch ended but others still run: nothing to decide yet
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
    }

    private static void send(SipServletRequest request, int status, String reason) throws IOException {
        request.createResponse(status, reason).send();
    }

    private static String hostOf(SipServletRequest request) {
        return request.getLocalAddr() == null ? "sip-push-server" : request.getLocalAddr().toLowerCase(Locale.ROOT);
    }
}
