package org.sippush.application.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.sippush.application.call.CallAction.Answer;
import org.sippush.application.call.CallAction.CancelBranches;
import org.sippush.application.call.CallAction.CancelPush;
import org.sippush.application.call.CallAction.MissedCall;
import org.sippush.application.call.CallAction.Outcome;
import org.sippush.application.call.CallAction.Release;
import org.sippush.application.call.CallAction.RingThenCancel;
import org.sippush.application.call.CallAction.SendPush;
import org.sippush.application.call.CallAction.StartBranch;
import org.sippush.application.call.CallAction.StartGraceTimer;
import org.sippush.application.call.CallAction.StopTimer;

/**
 * One call to a user whose phones may sleep, from the INVITE to its end. The SIP layer feeds it
 * every event (branch responses, push outcomes, a woken phone's REGISTER, CANCEL, the end of the
 * push wait) under the callee's session serialisation, and carries out the actions returned.
 *
 * <p>The rules (RFC 3261 §16.7 for choosing the answer; RFC 8599 for push):
 * <ul>
 * <li>Every live contact gets a branch at once and every device that allows call push gets a push.</li>
 * <li>The first 2xx wins; every other branch is cancelled "completed elsewhere".</li>
 * <li>A 6xx ends the call at once; other final responses are kept, the best one is answered when
 *     nothing can answer any more.</li>
 * <li>A device whose push was rejected or failed can't be woken: its old contact is not waited
 *     for. The call ends at once when no branch to a phone without push is pending, no push is
 *     pending or accepted and no woken phone's branch is pending.</li>
 * <li>A woken device gets the call once (a second REGISTER of the same device delivers nothing),
 *     also when it comes back from its old address; the push wait ends for the call when a woken
 *     phone rings.</li>
 * <li>An iOS device pushed for the call that registers after the call ended still gets the INVITE,
 *     then at once a CANCEL with the Reason the call ended with (CallKit must show, then end, the
 *     call its VoIP push announced); an Android device gets a {@code cancel} data message instead.</li>
 * </ul>
 */
public final class HeldCall {

    /** Where a call is in its life. */
    public enum State { HELD, ANSWERED, ENDED }

    /** What is known of one device's push. */
    public enum PushState { PENDING, ACCEPTED, REJECTED, FAILED, NOT_SENT, GRACE }

    /**
     * A registered contact of the callee; {@code device} is its push identity, or null without push;
     * {@code route} is where its requests must go when that is not the contact itself (the address a
     * phone behind NAT registered from), or null.
     */
    public record Target(String contactUri, String contactKey, String device, boolean android, String route) {
        public Target {
            Objects.requireNonNull(contactUri, "contactUri must not be null");
            Objects.requireNonNull(contactKey, "contactKey must not be null");
        }

        public Target(String contactUri, String contactKey, String device, boolean android) {
            this(contactUri, contactKey, device, android, null);
        }
    }

    private static final class Branch {
        final String device;
        final boolean woken;
        boolean ringing;
        int finalStatus;

        Branch(String device, boolean woken) {
            this.device = device;
            this.woken = woken;
        }

        boolean live() {
            return finalStatus == 0;
        }
    }

    private static final class Device {
        final boolean android;
        PushState push;
        boolean woken;
        boolean done;
        /** Answered its old contact with a provisional within the grace time: awake, not pushed. */
        boolean awake;

        Device(boolean android, PushState push) {
            this.android = android;
            this.push = push;
        }
    }

    private final String callId;
    private final Map<String, Branch> branches = new LinkedHashMap<>();
    private final Map<String, Device> devices = new LinkedHashMap<>();
    private State state = State.HELD;
    private int best;
    private String bestReason;
    private boolean timerRunning;
    /** How the call ended, for the Reason of a late-woken phone's CANCEL (RFC 3326). */
    private int endCause;
    private String endText;
    /** Ended because this server stops: it will not be here to tell a late-woken phone. */
    private boolean serverStopping;

    private HeldCall(String callId) {
        this.callId = Objects.requireNonNull(callId, "callId must not be null");
    }

    /**
     * A new call: a branch to every target, a push to every device of {@code pushTo} (the devices
     * allowed call push and within their push limit); devices of {@code capped} are waited for
     * without a push (an earlier push may be waking them).
     */
    public static Started start(String callId, List<Target> targets, List<String> pushTo, List<String> capped) {
        return start(callId, targets, pushTo, capped, 0);
    }

    /**
     * {@link #start(String, List, List, List)} with a grace time: the devices of {@code pushTo} are
     * pushed only if their old contact has not answered with a provisional response within
     * {@code graceMillis} (0: push at once).
     */
    public static Started start(String callId, List<Target> targets, List<String> pushTo, List<String> capped,
                                long graceMillis) {
        HeldCall call = new HeldCall(callId);
        List<CallAction> actions = new ArrayList<>();
        for (Target target : targets) {
            if (target.device() != null && (pushTo.contains(target.device()) || capped.contains(target.device()))) {
                call.devices.putIfAbsent(target.device(), new Device(target.android(),
                        pushTo.contains(target.device()) ? PushState.PENDING : PushState.NOT_SENT));
            }
        }
        for (Target target : targets) {
            String device = call.devices.containsKey(target.device()) ? target.device() : null;
            if (call.branches.putIfAbsent(target.contactKey(), new Branch(device, false)) == null) {
                actions.add(new StartBranch(target.contactUri(), target.contactKey(), false, target.route()));
            }
        }
        boolean grace = graceMillis > 0 && call.devices.values().stream().anyMatch(d -> d.push == PushState.PENDING);
        call.devices.forEach((device, d) -> {
            if (d.push == PushState.PENDING) {
                if (grace) {
                    d.push = PushState.GRACE;
                } else {
                    actions.add(new SendPush(device));
                }
            }
        });
        if (grace) {
            actions.add(new StartGraceTimer(graceMillis));
        }
        call.timerRunning = !call.devices.isEmpty();
        actions.addAll(call.finishIfNothingCanAnswer());
        return new Started(call, actions);
    }

    /** A new held call and what to do first. */
    public record Started(HeldCall call, List<CallAction> actions) {
    }

    public String callId() {
        return callId;
    }

    public State state() {
        return state;
    }

    /** Whether the push-wait timer should run (a device is still being woken). */
    public boolean waitsForPush() {
        return state == State.HELD && timerRunning;
    }

    public PushState push(String device) {
        Device d = devices.get(device);
        return d == null ? null : d.push;
    }

    /** The devices this call pushed or waits for. */
    public List<String> devices() {
        return List.copyOf(devices.keySet());
    }

    /** A branch could not even be sent (a refused TCP connection): as if it had failed. */
    public List<CallAction> branchFailed(String contactKey) {
        return finalResponse(contactKey, 503, "Service Unavailable");
    }

    /** A provisional response (180, 183) on a branch. */
    public List<CallAction> provisional(String contactKey, int status) {
        Branch branch = branches.get(contactKey);
        if (branch == null || !branch.live() || status == 100) {
            return List.of();
        }
        branch.ringing = true;
        if (!branch.woken && branch.device != null && state == State.HELD) {
            Device d = devices.get(branch.device);
            if (d.push == PushState.GRACE) {
                d.awake = true;  // the app answered at its old contact: no push needed
            }
        }
        if (branch.woken && state == State.HELD && timerRunning) {
            timerRunning = false;  // a woken phone rings: it rings as long as the caller lets it
            return List.of(new StopTimer());
        }
        return List.of();
    }

    /** A final response on a branch. */
    public List<CallAction> finalResponse(String contactKey, int status, String reason) {
        Branch branch = branches.get(contactKey);
        if (branch == null || !branch.live()) {
            return List.of();
        }
        branch.finalStatus = status;
        if (state != State.HELD) {
            return List.of();
        }
        List<CallAction> actions = new ArrayList<>();
        if (status >= 200 && status < 300) {
            state = State.ANSWERED;
            endCause = 200;
            endText = "Call completed elsewhere";
            actions.add(new CancelBranches(endCause, endText));
            stopTimer(actions);
            stopRinging(actions, "answered elsewhere");
            actions.add(new Release(Outcome.ANSWERED));
            return actions;
        }
        if (branch.device != null && (branch.woken || counts(status))) {
            devices.get(branch.device).done = true;  // the phone itself said no (woken, or awake at its old address)
        }
        if (status >= 600) {
            return end(status, reason, Outcome.REFUSED, status, reason);
        }
        if (counts(status) && (best == 0 || better(status, best))) {
            best = status;
            bestReason = reason;
        }
        return finishIfNothingCanAnswer();
    }

    /** What the push provider answered for a device. */
    public List<CallAction> pushOutcome(String device, PushState outcome) {
        Device d = devices.get(device);
        if (d == null || d.push != PushState.PENDING && d.push != PushState.ACCEPTED) {
            return List.of();
        }
        if (d.push == PushState.ACCEPTED && outcome != PushState.ACCEPTED) {
            return List.of();  // an accepted push stays accepted
        }
        d.push = outcome;
        return state == State.HELD ? finishIfNothingCanAnswer() : List.of();
    }

    /**
     * A device of this call registered (it woke up) at {@code contactKey}. It gets the call once: on
     * a new branch, or through the branch still pending to that same address.
     */
    public List<CallAction> woke(String device, String contactUri, String contactKey) {
        return woke(device, contactUri, contactKey, null);
    }

    /** {@link #woke(String, String, String)} for a phone that must be reached through {@code route} (NAT). */
    public List<CallAction> woke(String device, String contactUri, String contactKey, String route) {
        Device d = devices.get(device);
        if (d == null || d.woken) {
            return List.of();
        }
        if (state != State.HELD) {
            if (!wakesLate(d)) {
                return List.of();
            }
            d.woken = true;
            return List.of(new RingThenCancel(contactUri, contactKey, route, endCause, endText));
        }
        d.woken = true;
        Branch existing = branches.get(contactKey);
        if (existing != null && existing.live()) {
            return List.of();  // still being sent there (UDP retransmissions): it arrives through that branch
        }
        branches.put(contactKey, new Branch(device, true));
        return List.of(new StartBranch(contactUri, contactKey, true, route));
    }

    /**
     * Whether the call has ended and an iOS device it pushed may still wake for it (then its
     * REGISTER gets INVITE and CANCEL, see {@link #woke(String, String, String, String)}).
     */
    public boolean waitsForLateWake() {
        return devices.values().stream().anyMatch(this::wakesLate);
    }

    private boolean wakesLate(Device d) {
        return state != State.HELD && !serverStopping && !d.android && !d.woken && (d.push == PushState.PENDING || d.push == PushState.ACCEPTED);
    }

    /** The grace time is over: push every device whose app did not show it is awake. */
    public List<CallAction> graceOver() {
        List<CallAction> actions = new ArrayList<>();
        devices.forEach((device, d) -> {
            if (d.push == PushState.GRACE) {
                d.push = d.awake ? PushState.NOT_SENT : PushState.PENDING;
                if (state == State.HELD && !d.awake) {
                    actions.add(new SendPush(device));
                }
            }
        });
        return actions;
    }

    /** The caller sent CANCEL. */
    public List<CallAction> cancel() {
        if (state != State.HELD) {
            return List.of();
        }
        return end(487, "Request Terminated", Outcome.CANCELLED, 487, "Call cancelled by the caller");
    }

    /**
     * The server is stopping: the caller gets {@code 503} with {@code Retry-After} (its proxy may try
     * another node at once), every branch a CANCEL saying so, pushed Android phones stop ringing.
     * An iPhone that wakes later is told by the node it registers with, if that node still knows
     * the call; this one forgets it.
     */
    public List<CallAction> serverStopping() {
        if (state != State.HELD) {
            return List.of();
        }
        state = State.ENDED;
        serverStopping = true;
        endCause = 503;
        endText = "Server shutting down";
        List<CallAction> actions = new ArrayList<>();
        actions.add(new Answer(503, "Server shutting down", true));
        actions.add(new CancelBranches(endCause, endText));
        stopTimer(actions);
        stopRinging(actions, "ended");
        actions.add(new Release(Outcome.SERVER_STOPPING));
        return actions;
    }

    /** The push wait is over. */
    public List<CallAction> pushWaitOver() {
        if (state != State.HELD || !timerRunning) {
            return List.of();
        }
        timerRunning = false;
        int status = best != 0 ? best : 480;
        return end(status, best != 0 ? bestReason : "No answer from the woken phone", Outcome.TIMED_OUT, 480, "No answer");
    }

    private List<CallAction> finishIfNothingCanAnswer() {
        if (state != State.HELD || canStillAnswer()) {
            return List.of();
        }
        if (best != 0) {
            return end(best, bestReason, Outcome.REFUSED, 480, "Call ended");
        }
        boolean pushedAny = devices.values().stream().anyMatch(d -> d.push != PushState.NOT_SENT);
        return end(480, pushedAny ? "Push notification failed" : "No device reachable", Outcome.UNREACHABLE, 480, "Unreachable");
    }

    private boolean canStillAnswer() {
        for (Branch branch : branches.values()) {
            if (branch.live() && (branch.device == null || branch.woken || devices.get(branch.device).awake)) {
                return true;  // a phone without push, or a woken one, is still being called
            }
        }
        for (Device device : devices.values()) {
            if (!device.done && !device.woken
                    && (device.push == PushState.PENDING || device.push == PushState.ACCEPTED
                    || device.push == PushState.NOT_SENT || device.push == PushState.GRACE)) {
                return true;  // may still wake up
            }
        }
        return false;
    }

    private List<CallAction> end(int status, String reason, Outcome outcome, int cause, String text) {
        state = State.ENDED;
        endCause = cause;
        endText = text;
        List<CallAction> actions = new ArrayList<>();
        actions.add(new Answer(status, reason));
        actions.add(new CancelBranches(cause, text));
        stopTimer(actions);
        stopRinging(actions, outcome == Outcome.CANCELLED ? "cancelled" : outcome == Outcome.TIMED_OUT ? "timeout" : "ended");
        if (outcome == Outcome.CANCELLED || outcome == Outcome.TIMED_OUT) {
            devices.forEach((device, d) -> {
                if (d.push == PushState.PENDING || d.push == PushState.ACCEPTED) {
                    actions.add(new MissedCall(device));
                }
            });
        }
        actions.add(new Release(outcome));
        return actions;
    }

    private void stopTimer(List<CallAction> actions) {
        if (timerRunning) {
            timerRunning = false;
            actions.add(new StopTimer());
        }
    }

    /**
     * Android devices that were pushed and did not get the call: a data message stops their ringing
     * (a woken one got the INVITE, and its CANCEL, on its branch).
     */
    private void stopRinging(List<CallAction> actions, String reason) {
        devices.forEach((device, d) -> {
            if (d.android && !d.woken && (d.push == PushState.PENDING || d.push == PushState.ACCEPTED)) {
                actions.add(new CancelPush(device, reason));
            }
        });
    }

    /** Responses that say something about the callee (not about the request or a hop). */
    private static boolean counts(int status) {
        return status != 401 && status != 407 && status != 408 && status != 503 && status != 482 && status != 483;
    }

    /** RFC 3261 §16.7 step 6: the lowest class wins, 4xx before 5xx; within a class, the first. */
    private static boolean better(int status, int than) {
        return status / 100 < than / 100;
    }

    @Override
    public String toString() {
        return "HeldCall[" + callId + ", " + state + ", " + branches.size() + " branch(es), " + devices.size() + " device(s)]";
    }
}
