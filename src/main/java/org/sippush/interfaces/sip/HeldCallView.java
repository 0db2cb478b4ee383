package org.sippush.interfaces.sip;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.sippush.application.ops.HeldCallSnapshot;
import org.sippush.domain.binding.PushSettings;

/** A held call as the operator pages show it: read under the session's serialisation, copied out. */
final class HeldCallView {

    private HeldCallView() {
    }

    static HeldCallSnapshot of(HeldCall call) {
        List<HeldCallSnapshot.DevicePush> devices = new ArrayList<>();
        for (String device : call.machine.devices()) {
            PushSettings push = call.devices.get(device);
            var state = call.machine.push(device);
            devices.add(new HeldCallSnapshot.DevicePush(push == null ? "" : push.provider().wireName(),
                    push == null ? "" : push.appId(), push == null ? "" : PushSettings.mask(push.callToken()),
                    state == null ? "" : state.name().toLowerCase(java.util.Locale.ROOT)));
        }
        Instant heldAt = Instant.now().minus((System.nanoTime() - call.heldAtNanos) / 1_000, ChronoUnit.MICROS);
        String callee;
        try {
            callee = SipAddresses.addressOfRecord(call.invite.getTo().getURI());
        } catch (BadRequest e) {
            callee = call.invite.getTo().getURI().toString();
        }
        return new HeldCallSnapshot(call.key, call.machine.callId(), callee, call.invite.getFrom().getURI().toString(),
                heldAt, call.machine.state().name(), devices);
    }
}
