package org.sippush.application.call;

/** What the SIP layer must do after an event of a {@link HeldCall}. */
public sealed interface CallAction {

    /** Send the held INVITE to this contact on a new branch (through {@code route} when not null: NAT). */
    record StartBranch(String contactUri, String contactKey, boolean woken, String route) implements CallAction {
        public StartBranch(String contactUri, String contactKey, boolean woken) {
            this(contactUri, contactKey, woken, null);
        }
    }

    /** Wake this device with a call push. */
    record SendPush(String device) implements CallAction {
    }

    /**
     * CANCEL every branch still pending (RFC 3326 {@code Reason: SIP;cause=...;text="..."}), except
     * the answering one.
     */
    record CancelBranches(int cause, String text) implements CallAction {
    }

    /**
     * Send this final response to the caller (never 2xx: the proxy forwards the callee's); with
     * {@code Retry-After} when {@code retryAfter} is set (a 503 while the server stops).
     */
    record Answer(int status, String reason, boolean retryAfter) implements CallAction {
        public Answer(int status, String reason) {
            this(status, reason, false);
        }
    }

    /**
     * Wait this long before pushing (the app's grace time): a phone whose app is awake answers its
     * branch with a provisional response first and is not pushed.
     */
    record StartGraceTimer(long millis) implements CallAction {
    }

    /** The push wait is over for this call: cancel its timer. */
    record StopTimer() implements CallAction {
    }

    /** Tell a pushed Android device to stop ringing (FCM data message {@code type=cancel}). */
    record CancelPush(String device, String reason) implements CallAction {
    }

    /**
     * A pushed call ended unanswered (the caller hung up, or nobody answered in time): a visible
     * notice naming the caller, where the app wants one.
     */
    record MissedCall(String device) implements CallAction {
    }

    /**
     * An iOS phone woke for a call that has already ended: CallKit needs the call the VoIP push
     * announced, so the INVITE (same Call-ID) goes to its new contact and, as soon as the phone
     * answers with a provisional response, a CANCEL with {@code Reason: SIP;cause=...;text="..."}
     * (a 2xx that beats it is acknowledged and ended with a BYE carrying the same Reason).
     */
    record RingThenCancel(String contactUri, String contactKey, String route, int cause, String text)
            implements CallAction {
    }

    /** The call is over for this server: forget it (counters, session attribute). */
    record Release(Outcome outcome) implements CallAction {
    }

    /** How a held call ended. */
    enum Outcome { ANSWERED, REFUSED, CANCELLED, TIMED_OUT, UNREACHABLE, SERVER_STOPPING }
}
