package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.servlet.ServletException;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.URI;

import org.mobicents.javax.servlet.sip.SipApplicationSessionAsynchronousWork;
import org.mobicents.javax.servlet.sip.SipSessionsUtilExt;
import org.mobicents.servlet.sip.core.proxy.MobicentsProxyBranch;
import org.sippush.application.CallMetrics;
import org.sippush.application.Services;
import org.sippush.application.auth.Limits;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to the users this server registers (the PortSIP flow).
 * <ul>
 * <li>Phones without push: the INVITE is proxied to every live contact in parallel; the first 2xx
 *     wins and the container cancels the other branches.</li>
 * <li>Phones with call push: the INVITE is forked to their registered contacts at once (an app
 *     that is only in the background answers there) <em>and</em> a push is sent; the call is held
 *     in the callee's SipApplicationSession with a push-wait timer. When the woken app
 *     re-registers (matched by its push identity, from any address) the held INVITE gets a new
 *     branch to the new contact. No answer and no re-registration in time: 480.</li>
 * </ul>
 * REGISTERs and INVITEs of one user share one SipApplicationSession ({@code @SipApplicationKey}),
 * and the container serialises its events: a re-REGISTER racing the INVITE is handled strictly
 * before or after it, never in between, and each contact gets a call at most once
 * ({@link HeldCall#triedContacts}).
 * <p>
 * A proxy whose started branches have all ended forwards the best response, which would end a held
 * call as soon as a sleeping phone's stale contact answers 503 or 408. While the call waits for a
 * woken phone, the router <em>parks</em> it instead: it adds one branch that it never starts
 * (Restcomm's proxy waits for every branch that is neither started nor cancelled), and later
 * starts only the branches of woken phones.
 */
final class CallRouter {

    private static final Logger LOG = LoggerFactory.getLogger(CallRouter.class);
    private static final AtomicLong PARKING = new AtomicLong();
    /** The router of this deployment (one per web application class loader), for the timer listener. */
    private static volatile CallRouter installed;

    private final Services services;
    private final SipFactory sipFactory;
    private final TimerService timers;
    private final SipSessionsUtilExt sessions;

    CallRouter(Services services, SipFactory sipFactory, TimerService timers, SipSessionsUtilExt sessions) {
        this.services = services;
        this.sipFactory = sipFactory;
        this.timers = timers;
        this.sessions = sessions;
    }

    static void install(CallRouter router) {
        installed = router;
    }

    static CallRouter installed() {
        return installed;
    }

    /** The callee's address-of-record; or null after answering a request for a domain or URI not served. */
    private String calleeOrAnswer(SipServletRequest request) throws IOException {
        if (!(request.getTo().getURI() instanceof SipURI to) || !services.serves(to.getHost())) {
            request.createResponse(SipServletResponse.SC_NOT_FOUND, "Domain not served here").send();
            return null;
        }
        try {
            return SipAddresses.addressOfRecord(to);
        } catch (BadRequest e) {
            request.createResponse(e.status(), e.getMessage()).send();
            return null;
        }
    }

    /** MESSAGE: to every live contact; pushes for messages are not sent yet. */
    void routeMessage(SipServletRequest message) throws IOException, ServletException {
        String aor = calleeOrAnswer(message);
        if (aor == null) {
            return;
        }
        List<Binding> live = services.bindings().live(aor, Instant.now());
        if (live.isEmpty()) {
            message.createResponse(services.bindings().isKnown(aor) ? SipServletResponse.SC_TEMPORARILY_UNAVAILABLE
                    : SipServletResponse.SC_NOT_FOUND).send();
            return;
        }
        List<URI> targets = new ArrayList<>();
        for (Binding binding : live) {
            targets.add(uri(binding.contactUri()));
        }
        Proxy proxy = message.getProxy();
        proxy.setRecordRoute(false);
        proxy.setParallel(true);
        proxy.setSupervised(false);
        proxy.proxyTo(targets);
    }

    void route(SipServletRequest invite) throws IOException, ServletException {
        String aor = calleeOrAnswer(invite);
        if (aor == null) {
            return;
        }
        Instant now = Instant.now();
        List<Binding> live = services.bindings().live(aor, now);
        if (live.isEmpty()) {
            if (services.bindings().isKnown(aor)) {
                invite.createResponse(SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, "No registered device").send();
            } else {
                invite.createResponse(SipServletResponse.SC_NOT_FOUND, "Unknown user").send();
            }
            return;
        }
        List<Binding> pushable = live.stream()
                .filter(b -> b.push() != null && b.push().callPushAllowed())
                .toList();
        if (!pushable.isEmpty() && overHoldLimits(invite)) {
            return;
        }
        Proxy proxy = invite.getProxy();
        proxy.setRecordRoute(true);
        proxy.setParallel(true);
        proxy.setSupervised(true);
        List<URI> targets = new ArrayList<>();
        for (Binding binding : live) {
            targets.add(uri(binding.contactUri()));
        }
        if (pushable.isEmpty()) {
            if (start(proxy, targets) == 0 && !invite.isCommitted()) {
                invite.createResponse(SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, "No device reachable").send();
            }
            return;
        }
        hold(invite, aor, proxy, live, pushable, targets, now);
    }

    /** Whether holding one more call would pass limits.held-calls-per-user or limits.held-calls (then answered). */
    private boolean overHoldLimits(SipServletRequest invite) throws IOException {
        Limits limits = services.security().limits();
        Map<String, HeldCall> forUser = existingHeldCalls(invite.getApplicationSession());
        if (forUser != null && forUser.size() >= limits.heldCallsPerUser()) {
            LOG.info("Call {} refused: {} calls already held for this user (limits.held-calls-per-user)",
                    invite.getCallId(), forUser.size());
            invite.createResponse(SipServletResponse.SC_BUSY_HERE, "Too many calls waiting for this user").send();
            return true;
        }
        if (CallMetrics.heldNow() >= limits.heldCalls()) {
            LOG.warn("Call {} refused: {} calls held in all (limits.held-calls)", invite.getCallId(), CallMetrics.heldNow());
            SipServletResponse busy = invite.createResponse(SipServletResponse.SC_SERVICE_UNAVAILABLE, "Too many calls held");
            busy.setHeader("Retry-After", Long.toString(services.pushWait().toSeconds()));
            busy.send();
            return true;
        }
        return false;
    }

    private void hold(SipServletRequest invite, String aor, Proxy proxy, List<Binding> live, List<Binding> pushable,
                      List<URI> targets, Instant now) throws ServletParseException {
        SipApplicationSession sas = invite.getApplicationSession();
        Set<String> identities = new HashSet<>();
        pushable.forEach(b -> identities.add(b.pushIdentity()));
        HeldCall held = new HeldCall(invite.getCallId(), invite, proxy, identities);
        live.forEach(b -> held.triedContacts.add(b.contactKey()));
        heldCalls(sas).put(held.callId, held);
        CallMetrics.held();
        ServletTimer timer = timers.createTimer(sas, services.pushWait().toMillis(), false, held.callId);
        held.timerId = timer.getId();
        if (start(proxy, targets) == 0) {
            // no registered contact could even be sent to: nothing is alive but the wait for the push
            held.parked = true;
        }

        Instant expires = now.plus(services.pushWait());
        String callerName = invite.getFrom().getDisplayName();
        String caller = invite.getFrom().getURI().toString();
        String sasId = sas.getId();
        for (Binding binding : pushable) {
            PushSettings target = binding.push();
            if (!services.security().limits().allowPushTo(binding.pushIdentity())) {
                LOG.info("Call {} for {}: no push to {} (limits.pushes-per-device-per-minute reached); held for a phone"
                        + " woken by an earlier push", held.callId, aor, PushSettings.mask(target.callToken()));
                continue;
            }
            PushMessage push = PushMessage.call(target, held.callId, callerName, caller, aor, now, expires);
            held.pushesPending++;
            LOG.info("Holding call {} for {}: {}", held.callId, aor, push);
            services.pushes().dispatch(push).thenAccept(outcome ->
                    sessions.scheduleAsynchronousWork(sasId, (SipApplicationSessionAsynchronousWork) s -> onPushOutcome(s, outcome)));
        }
    }

    /**
     * A REGISTER that the registrar will accept names these contacts: give each held call a branch
     * to the woken phones among them (same push identity, a contact not tried yet). This runs
     * before the bindings are written, so the INVITE leaves while the database commits.
     *
     * @param arrivalNanos when the REGISTER reached the application ({@link System#nanoTime()})
     */
    void deliverHeldCalls(SipApplicationSession sas, List<Contact> contacts, long arrivalNanos) {
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        if (calls == null) {
            return;
        }
        for (HeldCall held : List.copyOf(calls.values())) {
            for (Contact contact : contacts) {
                if (contact.expires() > 0 && contact.push() != null
                        && held.pushIdentities.contains(contact.push().identityKey())
                        && held.triedContacts.add(contact.key())) {
                    startBranch(held, contact.uri(), arrivalNanos);
                }
            }
        }
    }

    /**
     * Starts the proxy with one branch per target (and its 100 Trying). A target that cannot be
     * reached at all (a refused TCP connection) fails alone instead of failing the call; returns
     * how many branches are known to be on their way (a branch that was being sent when the
     * container gave up is not counted: it stays open without a transaction, like a parked one).
     */
    private static int start(Proxy proxy, List<URI> targets) {
        List<ProxyBranch> branches = proxy.createProxyBranches(targets);
        try {
            proxy.startProxy();
            return branches.size();
        } catch (IllegalStateException e) {
            LOG.info("A branch could not be sent ({}); trying the others one by one", rootMessage(e));
        }
        int started = 0;
        for (ProxyBranch branch : branches) {
            MobicentsProxyBranch b = (MobicentsProxyBranch) branch;
            if (b.isStarted()) {
                continue;
            }
            try {
                b.start();
                started++;
            } catch (IllegalStateException e) {
                LOG.info("Branch to {} could not be sent: {}", SipAddresses.forLog(String.valueOf(b.getTargetURI())),
                        rootMessage(e));
            }
        }
        return started;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return SipAddresses.forLog(root.getMessage());
    }

    private void startBranch(HeldCall held, String contact, long arrivalNanos) {
        try {
            List<ProxyBranch> branches = held.proxy.createProxyBranches(List.of(uri(contact)));
            for (ProxyBranch branch : branches) {
                ((MobicentsProxyBranch) branch).start();
            }
            CallMetrics.WAKE_DELIVERY.record((System.nanoTime() - arrivalNanos) / 1_000);
            CallMetrics.delivered();
            LOG.info("Call {} delivered to the woken phone at {} after {} ms", held.callId, SipAddresses.forLog(contact),
                    (System.nanoTime() - held.heldAtNanos) / 1_000_000);
        } catch (ServletParseException | RuntimeException e) {
            LOG.warn("Call {}: cannot deliver to {}", held.callId, SipAddresses.forLog(contact), e);
        }
    }

    /** The best final response of a held call's proxy (every started branch has ended). */
    void onBestResponse(SipServletResponse response) {
        HeldCall held = held(response.getApplicationSession(), response.getCallId());
        if (held == null || held.finished) {
            return;
        }
        int status = response.getStatus();
        boolean declined = status == 486 || status == 600 || status == 603;
        if (status < 300 || declined || held.pushesPending == 0 && held.parked) {
            release(response.getApplicationSession(), held);
            return;
        }
        park(held);
    }

    /** 2xx of a branch: the call is answered; forget it (the container forwards the 2xx). */
    void onAnswered(SipServletResponse response) {
        HeldCall held = held(response.getApplicationSession(), response.getCallId());
        if (held != null) {
            release(response.getApplicationSession(), held);
        }
    }

    private void park(HeldCall held) {
        if (held.parked) {
            return;
        }
        try {
            SipURI parking = sipFactory.createSipURI("parked-" + PARKING.incrementAndGet(), "invalid");
            held.proxy.createProxyBranches(List.of(parking));  // never started
            held.parked = true;
            LOG.info("Call {}: every branch ended; held until the phone re-registers", held.callId);
        } catch (RuntimeException e) {
            LOG.warn("Call {}: cannot park", held.callId, e);
        }
    }

    /**
     * The caller gave up. The container has answered the CANCEL and cancels the started branches;
     * a branch to a sleeping phone that never sent a provisional can't be cancelled (RFC 3261
     * §9.1) and would keep the caller waiting, so the held call answers 487 itself and is parked
     * so that the proxy forwards nothing after it.
     */
    void onCancel(SipServletRequest cancel) throws IOException {
        HeldCall held = held(cancel.getApplicationSession(), cancel.getCallId());
        if (held == null || held.finished) {
            return;
        }
        LOG.info("Call {} cancelled by the caller while held", held.callId);
        release(cancel.getApplicationSession(), held);
        park(held);
        if (!held.invite.isCommitted()) {
            held.invite.createResponse(SipServletResponse.SC_REQUEST_TERMINATED).send();
        }
    }

    /** The push wait is over: nobody answered and no woken phone did. */
    void onPushWaitOver(ServletTimer timer) {
        SipApplicationSession sas = timer.getApplicationSession();
        HeldCall held = held(sas, (String) timer.getInfo());
        if (held == null || held.finished) {
            return;
        }
        CallMetrics.timedOut();
        fail(sas, held, "No answer from the woken phone");
    }

    private void onPushOutcome(SipApplicationSession sas, PushOutcome outcome) {
        HeldCall held = held(sas, outcome.message().callId());
        if (held == null || held.finished) {
            return;
        }
        held.pushesPending--;
        if (outcome instanceof PushOutcome.Accepted) {
            LOG.debug("Push {} accepted", outcome.message().pushId());
            return;
        }
        LOG.warn("Push {} for call {} not delivered: {}", outcome.message().pushId(), held.callId, outcome);
        if (held.pushesPending == 0 && held.parked) {
            fail(sas, held, "Push notification failed");
        }
    }

    private void fail(SipApplicationSession sas, HeldCall held, String reason) {
        release(sas, held);
        park(held);  // so the proxy never forwards the cancelled branches' 487 after our 480
        try {
            if (!held.invite.isCommitted()) {
                held.invite.createResponse(SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, reason).send();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Call {}: cannot answer 480", held.callId, e);
        }
        try {
            held.proxy.cancel();
        } catch (RuntimeException e) {
            LOG.debug("Call {}: nothing to cancel ({})", held.callId, e.toString());
        }
    }

    private void release(SipApplicationSession sas, HeldCall held) {
        if (held.finished) {
            return;
        }
        held.finished = true;
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        if (calls != null) {
            calls.remove(held.callId);
            if (calls.isEmpty() && sas.isValid()) {
                sas.removeAttribute(SessionAttributes.HELD_CALLS);
            }
        }
        if (held.timerId != null && sas.isValid()) {
            ServletTimer timer = sas.getTimer(held.timerId);
            if (timer != null) {
                timer.cancel();
            }
        }
        CallMetrics.released();
    }

    private static HeldCall held(SipApplicationSession sas, String callId) {
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        return calls == null ? null : calls.get(callId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, HeldCall> existingHeldCalls(SipApplicationSession sas) {
        return sas == null || !sas.isValid() ? null : (Map<String, HeldCall>) sas.getAttribute(SessionAttributes.HELD_CALLS);
    }

    private static Map<String, HeldCall> heldCalls(SipApplicationSession sas) {
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        if (calls == null) {
            calls = new HashMap<>();
            sas.setAttribute(SessionAttributes.HELD_CALLS, calls);
        }
        return calls;
    }

    private URI uri(String contact) throws ServletParseException {
        return sipFactory.createURI(contact);
    }
}
