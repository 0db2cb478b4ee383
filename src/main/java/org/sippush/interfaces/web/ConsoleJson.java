package org.sippush.interfaces.web;

import static org.sippush.domain.push.Json.quote;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.sippush.application.ops.BindingView;
import org.sippush.application.ops.HeldCallSnapshot;
import org.sippush.application.ops.PushRecord;
import org.sippush.application.ops.UserLookup;

/** The operator pages' data as JSON (the same fields the pages show). */
final class ConsoleJson {

    private ConsoleJson() {
    }

    static String users(List<UserLookup.UserBindings> users, Instant now) {
        StringBuilder json = new StringBuilder("[");
        for (int u = 0; u < users.size(); u++) {
            UserLookup.UserBindings user = users.get(u);
            json.append(u == 0 ? "" : ",").append("{\"aor\":").append(quote(user.aor())).append(",\"bindings\":[");
            for (int i = 0; i < user.bindings().size(); i++) {
                BindingView b = user.bindings().get(i);
                json.append(i == 0 ? "" : ",").append("{\"contact\":").append(quote(b.contact()))
                        .append(",\"transport\":").append(quote(b.transport()))
                        .append(",\"expiresAt\":").append(quote(b.expiresAt().toString()))
                        .append(",\"expiresIn\":").append(b.expiresIn(now))
                        .append(",\"pushProvider\":").append(quote(b.provider()))
                        .append(",\"app\":").append(quote(b.appId()))
                        .append(",\"token\":").append(quote(b.tokenMasked()))
                        .append(",\"lastRegistration\":").append(quote(b.lastRegistration().toString()))
                        .append(",\"userAgent\":").append(quote(b.userAgent())).append('}');
            }
            json.append("]}");
        }
        return json.append("]\n").toString();
    }

    static String calls(List<HeldCallSnapshot> calls, Instant now) {
        StringBuilder json = new StringBuilder("[");
        for (int c = 0; c < calls.size(); c++) {
            HeldCallSnapshot call = calls.get(c);
            json.append(c == 0 ? "" : ",").append("{\"callId\":").append(quote(call.callId()))
                    .append(",\"callee\":").append(quote(call.callee()))
                    .append(",\"caller\":").append(quote(call.caller()))
                    .append(",\"heldAt\":").append(quote(call.heldAt().toString()))
                    .append(",\"ageMillis\":").append(Math.max(0, call.age(now).toMillis()))
                    .append(",\"state\":").append(quote(call.state()))
                    .append(",\"devices\":[");
            for (int d = 0; d < call.devices().size(); d++) {
                HeldCallSnapshot.DevicePush device = call.devices().get(d);
                json.append(d == 0 ? "" : ",").append("{\"pushProvider\":").append(quote(device.provider()))
                        .append(",\"app\":").append(quote(device.appId()))
                        .append(",\"token\":").append(quote(device.tokenMasked()))
                        .append(",\"push\":").append(quote(device.pushState())).append('}');
            }
            json.append("]}");
        }
        return json.append("]\n").toString();
    }

    static String pushes(List<PushRecord> recent, Map<String, PushRecord> lastByProvider) {
        StringBuilder json = new StringBuilder("{\"lastByProvider\":{");
        boolean first = true;
        for (Map.Entry<String, PushRecord> last : lastByProvider.entrySet()) {
            json.append(first ? "" : ",").append(quote(last.getKey())).append(':');
            push(json, last.getValue());
            first = false;
        }
        json.append("},\"recent\":[");
        for (int i = 0; i < recent.size(); i++) {
            json.append(i == 0 ? "" : ",");
            push(json, recent.get(i));
        }
        return json.append("]}\n").toString();
    }

    private static void push(StringBuilder json, PushRecord p) {
        json.append("{\"at\":").append(quote(p.at().toString()))
                .append(",\"provider\":").append(quote(p.provider()))
                .append(",\"kind\":").append(quote(p.kind()))
                .append(",\"outcome\":").append(quote(p.outcome()))
                .append(",\"reason\":").append(quote(p.reason()))
                .append(",\"app\":").append(quote(p.appId()))
                .append(",\"token\":").append(quote(p.tokenMasked()))
                .append(",\"callee\":").append(quote(p.callee()))
                .append(",\"callId\":").append(quote(p.callId())).append('}');
    }

    static String counters(Counters counters) {
        return "{\"heldCalls\":" + counters.heldNow() + ",\"heldCallsTotal\":" + counters.heldTotal()
                + ",\"deliveredToWokenPhones\":" + counters.delivered() + ",\"timedOut\":" + counters.timedOut()
                + ",\"pushes\":{\"sent\":" + counters.pushesSent() + ",\"accepted\":" + counters.pushesAccepted()
                + ",\"rejected\":" + counters.pushesRejected() + ",\"failed\":" + counters.pushesFailed() + "}"
                + ",\"registrarWrites\":{\"batches\":" + counters.dbBatches() + ",\"changes\":" + counters.dbChanges()
                + ",\"queued\":" + counters.dbQueued() + "}}\n";
    }
}
