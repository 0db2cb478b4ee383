package org.sippush.interfaces.sip;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.sippush.application.Services;
import org.sippush.application.auth.Limits;
import org.sippush.application.call.CallAction;
import org.sippush.application.call.HeldCall.PushState;
import org.sippush.application.call.HeldCall.Target;
import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.Contact;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to the users this server registers: the SIP side of the PortSIP flow. It translates
 * between SIP Servlets objects and the events and actions of the application's held call
 * ({@link org.sippush.application.call.HeldCall}), which decides.
 * <ul>
 * <li>Phones without push: the INVITE is proxied to every live contact in parallel; the first 2xx
 *     wins and the container cancels the other branches.</li>
 * <li>Phones with call push: the INVITE is forked to every registered contact at once (an app that
 *     is only in the background answers there) <em>and</em> each device is pushed; the call is held
 *     in the callee's SipApplicationSession with a push-wait timer. A woken device's REGISTER (its
 *     push identity, from any address) gives the held INVITE a branch to its new contact.</li>
 * </ul>
 * REGISTERs and INVITEs of one user share one SipApplicationSession ({@code @SipApplicationKey}),
 * and the container serialises its events: a re-REGISTER racing the INVITE is handled strictly
 * before or after it, never in between.
 * <p>
 * A proxy whose started branches have all ended forwards the best response on its own, which would
 * end a held call as soon as a sleeping phone's stale contact answers 503 or 408. A held call's
 * proxy is therefore <em>parked</em> from the start: it gets one branch that is never started
 * (Restcomm's proxy waits for every branch that is neither started nor cancelled), every final
 * response reaches the state machine as a branch response, and the final answer to the caller
 * (other than a 2xx, which the proxy forwards) is sent by this router.
 */
final class CallRouter {

    private static final Logger LOG = LoggerFactory.getLogger(CallRouter.class);
    /** The info suffix of a grace-time timer (the push-wait timer's info is the held call's key). */
    private static final String GRACE = "#grace";
    private static final AtomicLong PARKING = new AtomicLong();

    private final Services services;
    private final SipFactory sipFactory;
    private final TimerService timers;
    private final SipSessionsUtilExt sessions;
    /** The SipApplicationSessions that hold calls now, by id: a stopping server answers them all. */
    private final java.util.Set<String> holding = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Routes routes;
    private final LateWakes lateWakes;

    CallRouter(Services services, SipFactory sipFactory, TimerService timers, SipSessionsUtilExt sessions) {
        this.services = services;
        this.sipFactory = sipFactory;
        this.timers = timers;
        this.sessions = sessions;
        this.routes = new Routes(sipFactory);
        this.lateWakes = new LateWakes(sipFactory, timers, routes, services.pushWait());
    }

    /** The servlet context attribute that holds the router, for the timer listener. */
    static final String ATTRIBUTE = CallRouter.class.getName();

    /**
     * The callee's address-of-record (INVITE, MESSAGE); or null after answering a request for a
     * domain or URI not served.
     */
    static String calleeOrAnswer(SipServletRequest request, Services services) throws IOException {
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

    void route(SipServletRequest invite) throws IOException, ServletException {
        String aor = calleeOrAnswer(invite, services);
        if (aor == null) {
            return;
        }
        // RFC 3261 §16.2: a stateful proxy answers 100 at once (the stack's own comes ~200 ms later)
        invite.createResponse(SipServletResponse.SC_TRYING).send();
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
        boolean pushable = live.stream().anyMatch(b -> b.push() != null && b.push().callPushAllowed());
        if (!pushable) {
            Proxy proxy = proxy(invite);
            List<ProxyBranch> branches = new ArrayList<>();
            for (Binding binding : live) {
                URI target = uri(binding.contactUri());
                for (ProxyBranch branch : proxy.createProxyBranches(List.of(target))) {
                    routes.route(branch, Routes.to(target, binding.received(), binding.path()));
                    branches.add(branch);
                }
            }
            if (start(proxy, branches).isEmpty() && !invite.isCommitted()) {
                invite.createResponse(SipServletResponse.SC_TEMPORARILY_UNAVAILABLE, "No device reachable").send();
            }
            return;
        }
        Map<String, HeldCall> held = heldCalls(invite.getApplicationSession());
        if (held.containsKey(HeldCall.keyOf(invite))) {
            // RFC 3261 §8.2.2.2: the same request again on another path (a spiral or an upstream fork)
            invite.createResponse(SipServletResponse.SC_LOOP_DETECTED, "Merged request").send();
            return;
        }
        if (sameCallHeld(held, invite)) {
            // the caller re-sent its INVITE (new CSeq) while the first one is still held: it is the
            // same call, whose phones are being woken; no second push. RFC 3261 §14.2: 500 with
            // Retry-After for an INVITE that overlaps a pending one.
            SipServletResponse pending = invite.createResponse(SipServletResponse.SC_SERVER_INTERNAL_ERROR,
                    "This call is already waiting for the callee");
            pending.setHeader("Retry-After", Long.toString(services.pushWait().toSeconds()));
            pending.send();
            return;
        }
        if (overHoldLimits(invite, held)) {
            return;
        }
        hold(invite, aor, live, held, now);
    }

    private static Proxy proxy(SipServletRequest invite) throws javax.servlet.sip.TooManyHopsException {
        Proxy proxy = invite.getProxy();
        proxy.setRecordRoute(true);
        proxy.setParallel(true);
        proxy.setSupervised(true);
        return proxy;
    }

    /** Whether holding one more call would pass limits.held-calls-per-user or limits.held-calls (then answered). */
    private boolean overHoldLimits(SipServletRequest invite, Map<String, HeldCall> forUser) throws IOException {
        Limits limits = services.security().limits();
        if (forUser.size() >= limits.heldCallsPerUser()) {
            LOG.info("Call {} refused: {} calls already held for this user (limits.held-calls-per-user)",
                    invite.getCallId(), forUser.size());
            invite.createResponse(SipServletResponse.SC_BUSY_HERE, "Too many calls waiting for this user").send();
            return true;
        }
        if (services.metrics().heldNow() >= limits.heldCalls()) {
            LOG.warn("Call {} refused: {} calls held in all (limits.held-calls)", invite.getCallId(), services.metrics().heldNow());
            SipServletResponse busy = invite.createResponse(SipServletResponse.SC_SERVICE_UNAVAILABLE, "Too many calls held");
            busy.setHeader("Retry-After", Long.toString(services.pushWait().toSeconds()));
            busy.send();
            return true;
        }
        return false;
    }

    private void hold(SipServletRequest invite, String aor, List<Binding> live, Map<String, HeldCall> held, Instant now)
            throws ServletParseException, javax.servlet.sip.TooManyHopsException {
        List<Target> targets = new ArrayList<>();
        Map<String, PushSettings> devices = new LinkedHashMap<>();
        List<String> pushTo = new ArrayList<>();
        List<String> capped = new ArrayList<>();
        for (Binding binding : live) {
            PushSettings push = binding.push();
            boolean callPush = push != null && push.callPushAllowed();
            String device = callPush ? binding.pushIdentity() : null;
            targets.add(new Target(binding.contactUri(), binding.contactKey(), device,
                    callPush && push.provider() == PushProvider.FCM,
                    Routes.to(uri(binding.contactUri()), binding.received(), binding.path())));
            if (device != null && devices.putIfAbsent(device, push) == null) {
                if (pushedForSameCall(held, invite.getCallId(), device)) {
                    capped.add(device);  // a re-sent INVITE of a call being woken: one push per device
                } else if (services.security().limits().allowPushTo(device)) {
                    pushTo.add(device);
                } else {
                    LOG.info("Call {} for {}: no push to {} (limits.pushes-per-device-per-minute reached); held for a"
                            + " phone woken by an earlier push", invite.getCallId(), aor, PushSettings.mask(push.callToken()));
                    capped.add(device);
                }
            }
        }
        long grace = pushTo.stream().mapToLong(d -> services.pushGraceMillis().applyAsLong(devices.get(d))).max().orElse(0);
        var started = org.sippush.application.call.HeldCall.start(invite.getCallId(), targets, pushTo, capped, grace);
        HeldCall call = new HeldCall(HeldCall.keyOf(invite), started.call(), invite, proxy(invite), devices);
        SipApplicationSession sas = invite.getApplicationSession();
        held.put(call.key, call);
        holding.add(sas.getId());
        services.metrics().held();
        if (call.machine.waitsForPush()) {
            ServletTimer timer = timers.createTimer(sas, services.pushWait().toMillis(), false, call.key);
            call.timerId = timer.getId();
        }
        LOG.info("Holding call {} for {}: {} contact(s), {} push(es)", invite.getCallId(), aor, targets.size(), pushTo.size());
        call.pushExpires = now.plus(services.pushWait());
        PushContext context = new PushContext(invite, aor, now, call.pushExpires);
        run(sas, call, started.actions(), context);
    }

    /** A call held for the same Call-ID and From tag (the same SIP session: one proxy in Restcomm). */
    private static boolean sameCallHeld(Map<String, HeldCall> held, SipServletRequest invite) {
        String tag = invite.getFrom().getParameter("tag");
        for (HeldCall other : held.values()) {
            if (other.machine.callId().equals(invite.getCallId())
                    && java.util.Objects.equals(other.invite.getFrom().getParameter("tag"), tag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean pushedForSameCall(Map<String, HeldCall> held, String callId, String device) {
        for (HeldCall other : held.values()) {
            if (other.machine.callId().equals(callId) && other.machine.push(device) != null
                    && other.machine.push(device) != PushState.NOT_SENT) {
                return true;
            }
        }
        return false;
    }

    /** What a push of this call says about it. */
    private record PushContext(SipServletRequest invite, String aor, Instant now, Instant expires) {
    }

    /**
     * Carries out the actions of the state machine. Initial branches are started together (one
     * proxy start); every event after that is fed back into the machine as it happens.
     */
    private void run(SipApplicationSession sas, HeldCall call, List<CallAction> actions, PushContext context) {
        List<CallAction> next = new ArrayList<>();
        List<CallAction.StartBranch> initial = new ArrayList<>();
        for (CallAction action : actions) {
            if (action instanceof CallAction.StartBranch start && !start.woken()) {
                initial.add(start);
            }
        }
        if (!initial.isEmpty()) {
            next.addAll(startInitial(call, initial));
        }
        for (CallAction action : actions) {
            if (action instanceof CallAction.StartBranch start) {
                if (start.woken()) {
                    next.addAll(startWoken(call, start));
                }
            } else if (action instanceof CallAction.SendPush push) {
                sendPush(sas, call, push.device(), context);
            } else if (action instanceof CallAction.CancelBranches cancel) {
                cancelBranches(call, cancel);
            } else if (action instanceof CallAction.Answer answer) {
                answer(call, answer);
                services.metrics().sipResponse("INVITE", answer.status());
            } else if (action instanceof CallAction.StartGraceTimer grace) {
                timers.createTimer(sas, grace.millis(), false, call.key + GRACE);
            } else if (action instanceof CallAction.StopTimer) {
                stopTimer(sas, call);
            } else if (action instanceof CallAction.CancelPush cancelPush) {
                stopRinging(call, cancelPush);
            } else if (action instanceof CallAction.MissedCall missed) {
                missedCall(call, missed.device());
            } else if (action instanceof CallAction.Release release) {
                release(sas, call, release.outcome());
            } else if (action instanceof CallAction.RingThenCancel late) {
                lateWakes.ringThenCancel(sas, call, late);
            }
        }
        publish(sas, call);
        if (!next.isEmpty()) {
            run(sas, call, next, context);
        }
    }

    /** The operator pages' view of a call still held (a snapshot: no other thread may read the call). */
    private void publish(SipApplicationSession sas, HeldCall call) {
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        if (calls != null && calls.get(call.key) == call) {
            services.metrics().heldCalls().update(HeldCallView.of(call));
        }
    }

    /** Starts the proxy with a branch per contact, then parks it; returns the events of branches that failed. */
    private List<CallAction> startInitial(HeldCall call, List<CallAction.StartBranch> starts) {
        List<ProxyBranch> branches = new ArrayList<>();
        for (CallAction.StartBranch start : starts) {
            try {
                for (ProxyBranch branch : call.proxy.createProxyBranches(List.of(uri(start.contactUri())))) {
                    routes.route(branch, start.route());
                    call.branches.put(start.contactKey(), branch);
                    branches.add(branch);
                }
            } catch (ServletParseException | RuntimeException e) {
                LOG.warn("Call {}: no branch to {}: {}", call.machine.callId(), SipAddresses.forLog(start.contactUri()),
                        rootMessage(e));
            }
        }
        List<ProxyBranch> started = start(call.proxy, branches);
        park(call);
        List<CallAction> events = new ArrayList<>();
        for (CallAction.StartBranch start : starts) {
            ProxyBranch branch = call.branches.get(start.contactKey());
            if (branch == null || !started.contains(branch)) {
                events.addAll(call.machine.branchFailed(start.contactKey()));
            }
        }
        return events;
    }

    private List<CallAction> startWoken(HeldCall call, CallAction.StartBranch start) {
        try {
            List<ProxyBranch> branches = call.proxy.createProxyBranches(List.of(uri(start.contactUri())));
            for (ProxyBranch branch : branches) {
                routes.route(branch, start.route());
                call.branches.put(start.contactKey(), branch);
                ((MobicentsProxyBranch) branch).start();
            }
            if (call.wakeArrivalNanos != 0) {
                // the INVITE is out: that is what a woken phone waits for (the log line below is not)
                services.metrics().wakeDelivery().record((System.nanoTime() - call.wakeArrivalNanos) / 1_000);
                call.wakeArrivalNanos = 0;
            }
            services.metrics().delivered();
            LOG.info("Call {} delivered to the woken phone at {} after {} ms", call.machine.callId(),
                    SipAddresses.forLog(start.contactUri()), (System.nanoTime() - call.heldAtNanos) / 1_000_000);
            return List.of();
        } catch (ServletParseException | RuntimeException e) {
            LOG.warn("Call {}: cannot deliver to {}: {}", call.machine.callId(), SipAddresses.forLog(start.contactUri()),
                    rootMessage(e));
            return call.machine.branchFailed(start.contactKey());
        }
    }

    /**
     * Starts the proxy's branches; a target that cannot be reached at all (a refused TCP
     * connection) fails alone instead of failing the call. Returns the branches on their way.
     */
    private static List<ProxyBranch> start(Proxy proxy, List<ProxyBranch> branches) {
        try {
            proxy.startProxy();
            return branches;
        } catch (IllegalStateException e) {
            LOG.info("A branch could not be sent ({}); trying the others one by one", rootMessage(e));
        }
        List<ProxyBranch> started = new ArrayList<>();
        for (ProxyBranch branch : branches) {
            MobicentsProxyBranch b = (MobicentsProxyBranch) branch;
            if (b.isStarted()) {
                continue;  // sent before the failure, or the one that failed (it has no transaction)
            }
            try {
                b.start();
                started.add(branch);
            } catch (IllegalStateException e) {
                LOG.info("Branch to {} could not be sent: {}", SipAddresses.forLog(String.valueOf(b.getTargetURI())),
                        rootMessage(e));
            }
        }
        return started;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return SipAddresses.forLog(root.getMessage());
    }

    /** One branch that is never started: the proxy never ends the call on its own (see the class comment). */
    private void park(HeldCall call) {
        try {
            SipURI parking = sipFactory.createSipURI("parked-" + PARKING.incrementAndGet(), "invalid");
            call.proxy.createProxyBranches(List.of(parking));
        } catch (RuntimeException e) {
            LOG.warn("Call {}: cannot park", call.machine.callId(), e);
        }
    }

    private void sendPush(SipApplicationSession sas, HeldCall call, String device, PushContext context) {
        PushSettings target = call.devices.get(device);
        PushMessage push = PushMessage.call(target, call.machine.callId(), context.invite().getFrom().getDisplayName(),
                context.invite().getFrom().getURI().toString(), context.aor(), context.now(), context.expires());
        call.pushes.put(device, push);
        LOG.debug("Call {}: {}", call.machine.callId(), push);
        String sasId = sas.getId();
        String key = call.key;
        services.pushes().dispatch(push).thenAccept(outcome -> sessions.scheduleAsynchronousWork(sasId,
                (SipApplicationSessionAsynchronousWork) s -> onPushOutcome(s, key, device, outcome)));
    }

    /** The call ended before this Android phone answered: a data message makes its app stop ringing. */
    private void stopRinging(HeldCall call, CallAction.CancelPush cancel) {
        PushMessage sent = call.pushes.get(cancel.device());
        if (sent == null) {
            return;
        }
        PushMessage stop = PushMessage.cancel(sent, cancel.reason(), Instant.now());
        LOG.info("Call {} ended ({}): {}", call.machine.callId(), cancel.reason(), stop);
        services.pushes().dispatch(stop).thenAccept(outcome -> LOG.debug("Cancel push {}: {}", stop.pushId(), outcome));
    }

    /** A pushed call ended unanswered: a visible notice, where the phone's app wants one. */
    private void missedCall(HeldCall call, String device) {
        PushMessage sent = call.pushes.get(device);
        if (sent == null || !services.missedCallNotice().test(sent.target())) {
            return;
        }
        PushMessage notice = PushMessage.missedCall(sent, Instant.now());
        LOG.info("Call {} missed: {}", call.machine.callId(), notice);
        services.pushes().dispatch(notice).thenAccept(outcome -> LOG.debug("Missed-call notice {}: {}", notice.pushId(), outcome));
    }

    private void onPushOutcome(SipApplicationSession sas, String key, String device, PushOutcome outcome) {
        HeldCall call = held(sas, key);
        if (call == null) {
            return;
        }
        PushState state;
        if (outcome instanceof PushOutcome.Accepted) {
            LOG.debug("Push {} accepted", outcome.message().pushId());
            state = PushState.ACCEPTED;
        } else {
            LOG.warn("Push {} for call {} not delivered: {}", outcome.message().pushId(), call.machine.callId(), outcome);
            state = outcome instanceof PushOutcome.Rejected ? PushState.REJECTED : PushState.FAILED;
        }
        // every call held for this Call-ID waits on the same push (one push per device and call)
        for (HeldCall same : List.copyOf(heldCalls(sas).values())) {
            if (same.machine.callId().equals(call.machine.callId())) {
                run(sas, same, same.machine.pushOutcome(device, state), null);
            }
        }
    }

    /**
     * A REGISTER that the registrar will accept names these contacts: every held call of a device
     * among them gets a branch to the woken phone. This runs before the bindings are written, so
     * the INVITE leaves while the database commits.
     *
     * @param arrivalNanos when the REGISTER reached the application ({@link System#nanoTime()})
     */
    void deliverHeldCalls(SipApplicationSession sas, List<Contact> contacts, long arrivalNanos) {
        List<HeldCall> calls = new ArrayList<>();
        Map<String, HeldCall> held = existingHeldCalls(sas);
        if (held != null) {
            calls.addAll(held.values());
        }
        calls.addAll(LateWakes.ended(sas));
        for (HeldCall call : calls) {
            for (Contact contact : contacts) {
                if (contact.expires() > 0 && contact.push() != null) {
                    String route;
                    try {
                        route = Routes.to(uri(contact.uri()), contact.received(), contact.path());
                    } catch (ServletParseException e) {
                        route = null;
                    }
                    List<CallAction> actions = call.machine.woke(contact.push().identityKey(), contact.uri(), contact.key(),
                            route);
                    if (!actions.isEmpty()) {
                        call.wakeArrivalNanos = arrivalNanos;
                        run(sas, call, actions, null);
                        call.wakeArrivalNanos = 0;
                    }
                }
            }
        }
    }

    /** A provisional response on a branch of a held call. */
    void onProvisional(SipServletResponse response) {
        if (LateWakes.response(response)) {
            return;
        }
        HeldCall call = held(response);
        String branch = branchKey(response);
        if (call != null && branch != null) {
            run(response.getApplicationSession(), call, call.machine.provisional(branch, response.getStatus()), null);
        }
    }

    /** A final response on a branch of a held call (2xx included). */
    void onFinal(SipServletResponse response) {
        if (LateWakes.response(response)) {
            return;
        }
        HeldCall call = held(response);
        String branch = branchKey(response);
        if (call != null && branch != null) {
            run(response.getApplicationSession(), call,
                    call.machine.finalResponse(branch, response.getStatus(), response.getReasonPhrase()), null);
        }
    }

    /**
     * The caller gave up. The container has answered the CANCEL; the state machine answers 487
     * and cancels every branch (a branch to a sleeping phone that never sent a provisional can't
     * be cancelled on the wire, RFC 3261 §9.1, so the 487 must not wait for it).
     */
    void onCancel(SipServletRequest cancel) {
        Map<String, HeldCall> calls = existingHeldCalls(cancel.getApplicationSession());
        if (calls == null) {
            return;
        }
        for (HeldCall call : List.copyOf(calls.values())) {
            if (call.invite.getCallId().equals(cancel.getCallId())) {
                LOG.info("Call {} cancelled by the caller while held", call.machine.callId());
                run(cancel.getApplicationSession(), call, call.machine.cancel(), null);
            }
        }
    }

    /** The push wait is over (nobody answered and no woken phone rings), or a grace time before pushing. */
    void onPushWaitOver(ServletTimer timer) {
        SipApplicationSession sas = timer.getApplicationSession();
        String info = (String) timer.getInfo();
        if (LateWakes.isTimer(info)) {
            LateWakes.timerFired(sas, info);
            return;
        }
        if (info.endsWith(GRACE)) {
            HeldCall call = held(sas, info.substring(0, info.length() - GRACE.length()));
            if (call != null) {
                run(sas, call, call.machine.graceOver(), new PushContext(call.invite, aorOf(call), Instant.now(),
                        call.pushExpires));
            }
            return;
        }
        HeldCall call = held(sas, info);
        if (call != null) {
            call.timerId = null;
            run(sas, call, call.machine.pushWaitOver(), null);
        }
    }

    /**
     * The server stops: every held call ends with 503 and Retry-After, each under its own
     * session's serialisation. Returns how many sessions held calls.
     */
    int endAllHeld() {
        List<String> ids = List.copyOf(holding);
        for (String id : ids) {
            sessions.scheduleAsynchronousWork(id, (SipApplicationSessionAsynchronousWork) sas -> {
                Map<String, HeldCall> calls = existingHeldCalls(sas);
                if (calls != null) {
                    for (HeldCall call : List.copyOf(calls.values())) {
                        run(sas, call, call.machine.serverStopping(), null);
                    }
                }
            });
        }
        return ids.size();
    }

    /** Waits (polling every 10 ms) until no call is held or {@code deadlineNanos}; returns how many are left. */
    long awaitNoneHeld(long deadlineNanos) {
        return Drain.awaitNone(() -> services.metrics().heldNow(), deadlineNanos);
    }

    private void answer(HeldCall call, CallAction.Answer answer) {
        try {
            if (!call.invite.isCommitted()) {
                SipServletResponse response = call.invite.createResponse(answer.status(), answer.reason());
                if (answer.retryAfter()) {
                    response.setHeader("Retry-After", Long.toString(services.drainTime().toSeconds()));
                }
                response.send();
            }
        } catch (IllegalStateException e) {
            answerThroughStack(call, answer, services.drainTime().toSeconds());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Call {}: cannot answer {}", call.machine.callId(), answer.status(), e);
        }
    }

    /** The final answer through the stack's server transaction, when the container has let go of it. */
    private static void answerThroughStack(HeldCall call, CallAction.Answer answer, long retryAfterSeconds) {
        javax.sip.ServerTransaction tx = call.serverTransaction;
        if (tx == null || tx.getState() == null || tx.getState().getValue() >= javax.sip.TransactionState._COMPLETED) {
            LOG.debug("Call {}: already answered", call.machine.callId());
            return;
        }
        try {
            javax.sip.message.Response response = STACK_MESSAGES.createResponse(answer.status(), tx.getRequest());
            response.setReasonPhrase(answer.reason());
            if (answer.retryAfter()) {
                response.setHeader(STACK_HEADERS.createRetryAfterHeader((int) retryAfterSeconds));
            }
            javax.sip.header.ToHeader to = (javax.sip.header.ToHeader) response.getHeader(javax.sip.header.ToHeader.NAME);
            if (to.getTag() == null) {
                to.setTag(Long.toHexString(System.nanoTime()));
            }
            tx.sendResponse(response);
        } catch (java.text.ParseException | javax.sip.SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("Call {}: cannot answer {}", call.machine.callId(), answer.status(), e);
        }
    }

    private static final javax.sip.message.MessageFactory STACK_MESSAGES = stackMessages();
    private static final javax.sip.header.HeaderFactory STACK_HEADERS = stackHeaders();

    private static javax.sip.header.HeaderFactory stackHeaders() {
        try {
            return javax.sip.SipFactory.getInstance().createHeaderFactory();
        } catch (javax.sip.PeerUnavailableException e) {
            throw new IllegalStateException("The container's SIP stack has no header factory", e);
        }
    }

    private static javax.sip.message.MessageFactory stackMessages() {
        try {
            return javax.sip.SipFactory.getInstance().createMessageFactory();
        } catch (javax.sip.PeerUnavailableException e) {
            throw new IllegalStateException("The container's SIP stack has no message factory", e);
        }
    }

    /** CANCEL with a Reason (RFC 3326) on every branch still pending. */
    private static void cancelBranches(HeldCall call, CallAction.CancelBranches cancel) {
        for (ProxyBranch branch : call.branches.values()) {
            if (!(branch instanceof MobicentsProxyBranch b) || !b.isStarted() || branch.getResponse() != null
                    && branch.getResponse().getStatus() >= 200) {
                continue;
            }
            try {
                branch.cancel(new String[] {"SIP"}, new int[] {cancel.cause()}, new String[] {cancel.text()});
            } catch (RuntimeException e) {
                LOG.debug("Call {}: branch already over ({})", call.machine.callId(), e.toString());
            }
        }
    }

    private static void stopTimer(SipApplicationSession sas, HeldCall call) {
        if (call.timerId != null && sas.isValid()) {
            ServletTimer timer = sas.getTimer(call.timerId);
            if (timer != null) {
                timer.cancel();
            }
        }
        call.timerId = null;
    }

    private void release(SipApplicationSession sas, HeldCall call, CallAction.Outcome outcome) {
        stopTimer(sas, call);
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        if (calls != null && calls.remove(call.key) != null) {
            if (calls.isEmpty()) {
                holding.remove(sas.getId());
                if (sas.isValid()) {
                    sas.removeAttribute(SessionAttributes.HELD_CALLS);
                }
            }
            services.metrics().released();
            services.metrics().heldCalls().remove(call.key);
            if (outcome == CallAction.Outcome.TIMED_OUT) {
                services.metrics().timedOut();
            }
            lateWakes.keep(sas, call);
        }
    }

    private static String aorOf(HeldCall call) {
        try {
            return SipAddresses.addressOfRecord(call.invite.getTo().getURI());
        } catch (BadRequest e) {
            return call.invite.getTo().getURI().toString();
        }
    }

    /** The contact key of the branch a response came on, or null when it is not one of ours. */
    private static String branchKey(SipServletResponse response) {
        ProxyBranch branch = response.getProxyBranch();
        if (branch == null || !(branch.getRequest().getRequestURI() instanceof SipURI uri)) {
            return null;
        }
        return SipAddresses.contactKey(uri);
    }

    private static HeldCall held(SipServletResponse response) {
        Map<String, HeldCall> calls = existingHeldCalls(response.getApplicationSession());
        if (calls == null) {
            return null;
        }
        SipServletRequest request = response.getProxyBranch() == null ? null : response.getProxy().getOriginalRequest();
        return request == null ? null : calls.get(HeldCall.keyOf(request));
    }

    private static HeldCall held(SipApplicationSession sas, String key) {
        Map<String, HeldCall> calls = existingHeldCalls(sas);
        return calls == null ? null : calls.get(key);
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
