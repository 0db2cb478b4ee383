package org.sippush.application.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.application.call.CallAction.Answer;
import org.sippush.application.call.CallAction.CancelBranches;
import org.sippush.application.call.CallAction.CancelPush;
import org.sippush.application.call.CallAction.Outcome;
import org.sippush.application.call.CallAction.Release;
import org.sippush.application.call.CallAction.SendPush;
import org.sippush.application.call.CallAction.StartBranch;
import org.sippush.application.call.CallAction.StopTimer;
import org.sippush.application.call.HeldCall.PushState;
import org.sippush.application.call.HeldCall.State;
import org.sippush.application.call.HeldCall.Target;

/**
 * The held call over tables of event sequences: each row starts a call to the same user with an
 * iPhone (push, stale contact), an Android phone (push, stale contact) and a desk phone (no push),
 * or a subset, feeds events in order and checks the final answer to the caller and the state.
 */
class HeldCallTest {

    static final Target IPHONE = new Target("sip:u@127.0.0.2:40061", "k-iphone-old", "apns|app|tok1", false);
    static final Target ANDROID = new Target("sip:u@127.0.0.2:40071", "k-android-old", "fcm|app|tok2", true);
    static final Target DESK = new Target("sip:u@127.0.0.2:40081", "k-desk", null, false);

    record Step(String name, Function<HeldCall, List<CallAction>> event) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Step ev(String name, Function<HeldCall, List<CallAction>> event) {
        return new Step(name, event);
    }

    static final Step IPHONE_ACCEPTED = ev("iphone push accepted", c -> c.pushOutcome(IPHONE.device(), PushState.ACCEPTED));
    static final Step IPHONE_REJECTED = ev("iphone push rejected", c -> c.pushOutcome(IPHONE.device(), PushState.REJECTED));
    static final Step ANDROID_ACCEPTED = ev("android push accepted", c -> c.pushOutcome(ANDROID.device(), PushState.ACCEPTED));
    static final Step ANDROID_REJECTED = ev("android push rejected", c -> c.pushOutcome(ANDROID.device(), PushState.REJECTED));
    static final Step IPHONE_WAKES = ev("iphone wakes", c -> c.woke(IPHONE.device(), "sip:u@127.0.0.3:1", "k-iphone-new"));
    static final Step IPHONE_WAKES_SAME_ADDRESS = ev("iphone wakes at its old address",
            c -> c.woke(IPHONE.device(), IPHONE.contactUri(), IPHONE.contactKey()));
    static final Step ANDROID_WAKES = ev("android wakes", c -> c.woke(ANDROID.device(), "sip:u@127.0.0.3:2", "k-android-new"));
    static final Step IPHONE_OLD_FAILS = ev("iphone old contact 503", c -> c.branchFailed(IPHONE.contactKey()));
    static final Step IPHONE_OLD_TIMES_OUT = ev("iphone old contact 408", c -> c.finalResponse(IPHONE.contactKey(), 408, "Timeout"));
    static final Step ANDROID_OLD_FAILS = ev("android old contact 503", c -> c.branchFailed(ANDROID.contactKey()));
    static final Step IPHONE_NEW_RINGS = ev("iphone new 180", c -> c.provisional("k-iphone-new", 180));
    static final Step IPHONE_NEW_ANSWERS = ev("iphone new 200", c -> c.finalResponse("k-iphone-new", 200, "OK"));
    static final Step IPHONE_NEW_BUSY = ev("iphone new 486", c -> c.finalResponse("k-iphone-new", 486, "Busy Here"));
    static final Step IPHONE_NEW_DECLINES = ev("iphone new 603", c -> c.finalResponse("k-iphone-new", 603, "Decline"));
    static final Step ANDROID_NEW_ANSWERS = ev("android new 200", c -> c.finalResponse("k-android-new", 200, "OK"));
    static final Step DESK_BUSY = ev("desk 486", c -> c.finalResponse(DESK.contactKey(), 486, "Busy Here"));
    static final Step DESK_ANSWERS = ev("desk 200", c -> c.finalResponse(DESK.contactKey(), 200, "OK"));
    static final Step CANCEL = ev("caller CANCEL", HeldCall::cancel);
    static final Step TIMEOUT = ev("push wait over", HeldCall::pushWaitOver);

    static Arguments row(List<Target> targets, List<Step> steps, Integer answer, State state) {
        return Arguments.of(targets, steps, answer, state);
    }

    static Stream<Arguments> lives() {
        List<Target> iphone = List.of(IPHONE);
        List<Target> two = List.of(IPHONE, ANDROID);
        List<Target> all = List.of(IPHONE, ANDROID, DESK);
        return Stream.of(
                // the happy path, and its races
                row(iphone, List.of(IPHONE_ACCEPTED, IPHONE_OLD_TIMES_OUT, IPHONE_WAKES, IPHONE_NEW_RINGS, IPHONE_NEW_ANSWERS), null, State.ANSWERED),
                row(iphone, List.of(IPHONE_WAKES, IPHONE_ACCEPTED, IPHONE_NEW_ANSWERS), null, State.ANSWERED),      // REGISTER before the push outcome
                row(iphone, List.of(IPHONE_WAKES, IPHONE_NEW_ANSWERS, IPHONE_ACCEPTED), null, State.ANSWERED),      // push outcome after the answer
                row(iphone, List.of(IPHONE_ACCEPTED, TIMEOUT), 480, State.ENDED),
                row(iphone, List.of(IPHONE_ACCEPTED, CANCEL, IPHONE_WAKES), 487, State.ENDED),                      // CANCEL, then the phone wakes
                row(iphone, List.of(IPHONE_WAKES, CANCEL, IPHONE_NEW_ANSWERS), 487, State.ENDED),                   // CANCEL during delivery
                row(iphone, List.of(IPHONE_WAKES, IPHONE_NEW_RINGS, TIMEOUT), null, State.HELD),                    // ringing outlives the push wait
                // 1. a dead token with a stale UDP contact still pending: 480 at once
                row(iphone, List.of(IPHONE_REJECTED), 480, State.ENDED),
                row(iphone, List.of(IPHONE_OLD_FAILS, IPHONE_REJECTED), 480, State.ENDED),
                // 2. one rejected push does not fail the call while another device wakes
                row(two, List.of(IPHONE_REJECTED, ANDROID_ACCEPTED), null, State.HELD),
                row(two, List.of(IPHONE_REJECTED, ANDROID_ACCEPTED, ANDROID_WAKES, ANDROID_NEW_ANSWERS), null, State.ANSWERED),
                row(two, List.of(IPHONE_REJECTED, ANDROID_REJECTED), 480, State.ENDED),
                // 3. a woken phone's 486 / 603 reaches the caller (RFC 3261 §16.7)
                row(iphone, List.of(IPHONE_ACCEPTED, IPHONE_WAKES, IPHONE_NEW_BUSY), 486, State.ENDED),
                row(iphone, List.of(IPHONE_ACCEPTED, IPHONE_WAKES, IPHONE_NEW_DECLINES), 603, State.ENDED),
                row(two, List.of(IPHONE_WAKES, IPHONE_NEW_DECLINES), 603, State.ENDED),                             // 6xx ends the call
                row(two, List.of(ANDROID_ACCEPTED, IPHONE_WAKES, IPHONE_NEW_BUSY), null, State.HELD),               // 486: the other keeps its chance
                row(two, List.of(ANDROID_ACCEPTED, IPHONE_WAKES, IPHONE_NEW_BUSY, TIMEOUT), 486, State.ENDED),      // ... and 486 is the best answer
                row(all, List.of(DESK_BUSY, IPHONE_REJECTED, ANDROID_REJECTED), 486, State.ENDED),
                row(all, List.of(IPHONE_ACCEPTED, ANDROID_ACCEPTED, DESK_ANSWERS), null, State.ANSWERED),
                // 4. a phone that re-registers from its old address gets the call through the pending branch
                row(iphone, List.of(IPHONE_OLD_FAILS, IPHONE_WAKES_SAME_ADDRESS), null, State.HELD));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("lives")
    void eachLifeEndsWithTheAnswerACallerExpects(List<Target> targets, List<Step> steps, Integer answer, State state) {
        List<String> devices = targets.stream().map(Target::device).filter(d -> d != null).toList();
        HeldCall.Started started = HeldCall.start("call-1", targets, devices, List.of());
        HeldCall call = started.call();
        List<CallAction> all = new ArrayList<>(started.actions());
        for (Step step : steps) {
            all.addAll(step.event().apply(call));
        }
        List<Integer> answers = all.stream().filter(a -> a instanceof Answer).map(a -> ((Answer) a).status()).toList();
        assertEquals(answer == null ? List.of() : List.of(answer), answers, "answers to the caller: " + all);
        assertEquals(state, call.state(), all.toString());
        assertTrue(all.stream().filter(a -> a instanceof Release).count() == (state == State.HELD ? 0 : 1),
                "released once when over: " + all);
    }

    @Test
    void withAGraceTimeAPhoneWhoseOldContactRingsIsNotPushedAndASleepingOneIs() {
        HeldCall.Started started = HeldCall.start("c", List.of(IPHONE, ANDROID), List.of(IPHONE.device(), ANDROID.device()),
                List.of(), 500);
        assertTrue(started.actions().stream().noneMatch(a -> a instanceof SendPush), "nobody pushed during the grace time");
        assertTrue(started.actions().contains(new CallAction.StartGraceTimer(500)));
        HeldCall call = started.call();
        call.provisional(IPHONE.contactKey(), 180);  // the iPhone's app is awake: it rings at its old contact

        assertEquals(List.of(new SendPush(ANDROID.device())), call.graceOver());
        assertEquals(List.of(), call.pushOutcome(ANDROID.device(), PushState.REJECTED), "the awake iPhone may still answer");
        assertEquals(List.of(new CancelBranches(200, "Call completed elsewhere"), new StopTimer(), new Release(Outcome.ANSWERED)),
                call.finalResponse(IPHONE.contactKey(), 200, "OK"));
    }

    @Test
    void startForksToEveryContactAndPushesEveryDevice() {
        HeldCall.Started started = HeldCall.start("c", List.of(IPHONE, ANDROID, DESK),
                List.of(IPHONE.device(), ANDROID.device()), List.of());
        assertEquals(List.of(new StartBranch(IPHONE.contactUri(), IPHONE.contactKey(), false),
                new StartBranch(ANDROID.contactUri(), ANDROID.contactKey(), false),
                new StartBranch(DESK.contactUri(), DESK.contactKey(), false),
                new SendPush(IPHONE.device()), new SendPush(ANDROID.device())), started.actions());
        assertTrue(started.call().waitsForPush());
    }

    @Test
    void aCappedDeviceGetsNoPushButIsWaitedFor() {
        HeldCall.Started started = HeldCall.start("c", List.of(IPHONE), List.of(), List.of(IPHONE.device()));
        assertTrue(started.actions().stream().noneMatch(a -> a instanceof SendPush));
        assertEquals(PushState.NOT_SENT, started.call().push(IPHONE.device()));
        assertEquals(List.of(new StartBranch("sip:u@127.0.0.3:1", "k-iphone-new", true)), IPHONE_WAKES.event().apply(started.call()));
    }

    @Test
    void theAnswerCancelsTheOthersCompletedElsewhereAndStopsAndroidRinging() {
        HeldCall call = HeldCall.start("c", List.of(IPHONE, ANDROID), List.of(IPHONE.device(), ANDROID.device()), List.of()).call();
        call.pushOutcome(ANDROID.device(), PushState.ACCEPTED);
        call.woke(IPHONE.device(), "sip:u@127.0.0.3:1", "k-iphone-new");
        List<CallAction> actions = call.finalResponse("k-iphone-new", 200, "OK");
        assertEquals(List.of(new CancelBranches(200, "Call completed elsewhere"), new StopTimer(),
                new CancelPush(ANDROID.device(), "answered elsewhere"), new Release(Outcome.ANSWERED)), actions);
    }

    @Test
    void aWokenAndroidPhoneGetsNoCancelPushItsBranchIsCancelled() {
        HeldCall call = HeldCall.start("c", List.of(ANDROID), List.of(ANDROID.device()), List.of()).call();
        call.pushOutcome(ANDROID.device(), PushState.ACCEPTED);
        call.woke(ANDROID.device(), "sip:u@127.0.0.3:2", "k-android-new");
        assertTrue(call.cancel().stream().noneMatch(a -> a instanceof CancelPush));
    }

    @Test
    void aPushedCallThatEndsUnansweredIsAMissedCallForEveryPushedDevice() {
        for (Step end : List.of(CANCEL, TIMEOUT)) {
            HeldCall call = HeldCall.start("c", List.of(IPHONE, ANDROID), List.of(IPHONE.device(), ANDROID.device()), List.of()).call();
            call.pushOutcome(IPHONE.device(), PushState.ACCEPTED);
            assertEquals(List.of(new CallAction.MissedCall(IPHONE.device()), new CallAction.MissedCall(ANDROID.device())),
                    end.event().apply(call).stream().filter(a -> a instanceof CallAction.MissedCall).toList(), end.toString());
        }
        for (List<Step> notMissed : List.of(List.of(IPHONE_WAKES, IPHONE_NEW_ANSWERS), List.of(IPHONE_WAKES, IPHONE_NEW_DECLINES),
                List.of(IPHONE_REJECTED))) {
            HeldCall call = HeldCall.start("c", List.of(IPHONE), List.of(IPHONE.device()), List.of()).call();
            List<CallAction> all = new ArrayList<>();
            notMissed.forEach(step -> all.addAll(step.event().apply(call)));
            assertTrue(all.stream().noneMatch(a -> a instanceof CallAction.MissedCall), notMissed + ": " + all);
        }
    }

    @Test
    void aCallerWhoHangsUpStopsThePushedAndroidPhone() {
        HeldCall call = HeldCall.start("c", List.of(ANDROID, IPHONE), List.of(ANDROID.device(), IPHONE.device()), List.of()).call();
        List<CallAction> actions = call.cancel();
        assertEquals(List.of(new CancelPush(ANDROID.device(), "cancelled")),
                actions.stream().filter(a -> a instanceof CancelPush).toList(), "Android only: iOS needs CallKit");
    }

    @Test
    void aWokenPhoneGetsTheCallOnceAndItsRingingEndsThePushWait() {
        HeldCall call = HeldCall.start("c", List.of(IPHONE), List.of(IPHONE.device()), List.of()).call();
        assertEquals(1, IPHONE_WAKES.event().apply(call).size());
        assertEquals(List.of(), IPHONE_WAKES.event().apply(call), "a second REGISTER delivers nothing");
        assertEquals(List.of(new StopTimer()), IPHONE_NEW_RINGS.event().apply(call));
        assertEquals(List.of(), TIMEOUT.event().apply(call));
    }

    @Test
    void aPhoneBackAtItsOldAddressGetsANewBranchWhenTheOldOneEnded() {
        HeldCall call = HeldCall.start("c", List.of(IPHONE), List.of(IPHONE.device()), List.of()).call();
        call.branchFailed(IPHONE.contactKey());
        assertEquals(List.of(new StartBranch(IPHONE.contactUri(), IPHONE.contactKey(), true)),
                IPHONE_WAKES_SAME_ADDRESS.event().apply(call));
    }

    @Test
    void everyEventInEveryEndStateDoesNothingButALateIphoneWake() {
        for (Step ending : List.of(CANCEL, TIMEOUT, IPHONE_REJECTED)) {
            HeldCall call = HeldCall.start("c", List.of(IPHONE), List.of(IPHONE.device()), List.of()).call();
            ending.event().apply(call);
            for (Step late : List.of(IPHONE_ACCEPTED, IPHONE_REJECTED, IPHONE_NEW_RINGS, IPHONE_NEW_ANSWERS,
                    IPHONE_OLD_FAILS, CANCEL, TIMEOUT)) {
                assertEquals(List.of(), late.event().apply(call), ending + " then " + late);
            }
            IPHONE_WAKES.event().apply(call);
            assertEquals(List.of(), IPHONE_WAKES.event().apply(call), ending + ": a second late REGISTER gets nothing");
            assertEquals(false, call.waitsForLateWake(), ending.toString());
        }
    }

    static Stream<Arguments> lateWakes() {
        Step desk = ev("desk phone answers", c -> c.finalResponse(DESK.contactKey(), 200, "OK"));
        Step androidAnswers = ev("android wakes and answers", c -> {
            c.woke(ANDROID.device(), "sip:u@127.0.0.3:2", "k-android-new");
            return c.finalResponse("k-android-new", 200, "OK");
        });
        return Stream.of(
                Arguments.of(List.of(IPHONE_ACCEPTED, desk), 200, "Call completed elsewhere"),
                Arguments.of(List.of(IPHONE_ACCEPTED, androidAnswers), 200, "Call completed elsewhere"),
                Arguments.of(List.of(desk), 200, "Call completed elsewhere"),          // push outcome not known yet
                Arguments.of(List.of(IPHONE_ACCEPTED, CANCEL), 487, "Call cancelled by the caller"),
                Arguments.of(List.of(CANCEL), 487, "Call cancelled by the caller"),
                Arguments.of(List.of(IPHONE_ACCEPTED, TIMEOUT), 480, "No answer"),
                Arguments.of(List.of(IPHONE_ACCEPTED, ev("desk 603", c -> c.finalResponse(DESK.contactKey(), 603, "Decline"))),
                        603, "Decline"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lateWakes")
    void anIphoneThatWakesAfterTheCallEndedGetsTheInviteThenACancelWithTheReason(List<Step> steps, int cause, String text) {
        HeldCall call = HeldCall.start("c", List.of(IPHONE, ANDROID, DESK), List.of(IPHONE.device(), ANDROID.device()),
                List.of()).call();
        steps.forEach(step -> step.event().apply(call));
        assertTrue(call.state() != State.HELD, steps.toString());
        assertTrue(call.waitsForLateWake());

        assertEquals(List.of(new CallAction.RingThenCancel("sip:u@127.0.0.3:1", "k-iphone-new", null, cause, text)),
                IPHONE_WAKES.event().apply(call));
        assertEquals(false, call.waitsForLateWake(), "once");
        assertEquals(List.of(), ANDROID_WAKES.event().apply(call), "Android stops ringing through its cancel data message");
    }

    @Test
    void aStoppingServerAnswersTheCaller503WithRetryAfterAndCancelsEverything() {
        HeldCall call = HeldCall.start("c", List.of(IPHONE, ANDROID, DESK), List.of(IPHONE.device(), ANDROID.device()),
                List.of()).call();
        ANDROID_ACCEPTED.event().apply(call);
        assertEquals(List.of(new Answer(503, "Server shutting down", true), new CancelBranches(503, "Server shutting down"),
                new StopTimer(), new CancelPush(ANDROID.device(), "ended"), new Release(Outcome.SERVER_STOPPING)),
                call.serverStopping());
        assertEquals(State.ENDED, call.state());
        assertEquals(false, call.waitsForLateWake(), "this node forgets the call");
        assertEquals(List.of(), call.serverStopping(), "once");
        for (Step late : List.of(IPHONE_WAKES, DESK_ANSWERS, CANCEL, TIMEOUT)) {
            assertEquals(List.of(), late.event().apply(call), late.toString());
        }
        HeldCall answered = HeldCall.start("c", List.of(DESK), List.of(), List.of()).call();
        DESK_ANSWERS.event().apply(answered);
        assertEquals(List.of(), answered.serverStopping(), "an answered call is not touched");
    }

    @Test
    void noLateWakeForAnIphoneWhosePushWasRejectedOrThatGotTheCall() {
        HeldCall rejected = HeldCall.start("c", List.of(IPHONE, DESK), List.of(IPHONE.device()), List.of()).call();
        IPHONE_REJECTED.event().apply(rejected);
        DESK_ANSWERS.event().apply(rejected);
        assertEquals(false, rejected.waitsForLateWake());
        assertEquals(List.of(), IPHONE_WAKES.event().apply(rejected));

        HeldCall answered = HeldCall.start("c", List.of(IPHONE), List.of(IPHONE.device()), List.of()).call();
        IPHONE_WAKES.event().apply(answered);
        IPHONE_NEW_ANSWERS.event().apply(answered);
        assertEquals(false, answered.waitsForLateWake());
    }
}
