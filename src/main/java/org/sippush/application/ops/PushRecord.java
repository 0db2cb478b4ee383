package org.sippush.application.ops;

import java.time.Instant;

import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushOutcome;

/**
 * One push as the operator pages show it: when it ended, to which provider and app, what the
 * provider answered. The token is masked.
 *
 * @param outcome {@code accepted}, {@code rejected} or {@code failed}
 * @param reason  the provider's reason (Apple's {@code BadDeviceToken}, Google's {@code UNREGISTERED}, ...),
 *                or empty when accepted
 */
public record PushRecord(Instant at, String provider, String kind, String outcome, String reason, String appId,
                         String tokenMasked, String callee, String callId) {

    public static PushRecord of(PushOutcome outcome, Instant at) {
        var message = outcome.message();
        return new PushRecord(at, message.target().provider().wireName(), message.kind().wireName(),
                outcomeName(outcome), reasonOf(outcome), message.target().appId(), PushSettings.mask(message.token()),
                message.callee(), message.callId());
    }

    public static String outcomeName(PushOutcome outcome) {
        if (outcome instanceof PushOutcome.Accepted) {
            return "accepted";
        }
        return outcome instanceof PushOutcome.Rejected ? "rejected" : "failed";
    }

    public static String reasonOf(PushOutcome outcome) {
        if (outcome instanceof PushOutcome.Rejected rejected) {
            return rejected.reason();
        }
        if (outcome instanceof PushOutcome.Failed failed) {
            return failed.reason();
        }
        return "";
    }
}
