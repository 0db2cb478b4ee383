package org.sippush.interfaces.web;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.sippush.application.ops.BindingView;
import org.sippush.application.ops.HeldCallSnapshot;
import org.sippush.application.ops.PushRecord;
import org.sippush.application.ops.UserLookup;

/** The operator pages as plain HTML: no script, no style sheet or font from elsewhere. */
final class ConsolePages {

    private static final String STYLE = "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;"
            + "margin-bottom:1.5em}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}"
            + "th{background:#eee}.empty{color:#777}";

    private ConsolePages() {
    }

    /** Counters, calls held now, the last push per provider and the last pushes, and the search box. */
    static String overview(Counters counters, List<HeldCallSnapshot> calls, Map<String, PushRecord> lastByProvider,
                           List<PushRecord> recent, Instant now, int refreshSeconds) {
        StringBuilder html = head("sip-push-server", refreshSeconds);
        search(html, "");
        html.append("<h2>Calls held now</h2>");
        calls(html, calls, now);
        html.append("<h2>Last push per provider</h2>");
        pushes(html, "last-pushes", List.copyOf(lastByProvider.values()));
        html.append("<h2>Counters</h2><table id=\"counters\">");
        for (Map.Entry<String, Long> row : counters.rows()) {
            html.append("<tr><th>").append(esc(row.getKey())).append("</th><td>").append(row.getValue()).append("</td></tr>");
        }
        html.append("</table><h2>Last pushes</h2>");
        pushes(html, "recent-pushes", recent.subList(0, Math.min(50, recent.size())));
        html.append("<p>The same as JSON: <a href=\"api/calls\">calls</a>, <a href=\"api/pushes\">pushes</a>,"
                + " <a href=\"api/counters\">counters</a>, <code>api/users?q=USER</code>.</p>");
        return html.append("</body></html>\n").toString();
    }

    /** The users a search found and their bindings. */
    static String users(String query, List<UserLookup.UserBindings> users, Instant now) {
        StringBuilder html = head("Users: " + query, 0);
        html.append("<p><a href=\"./\">Overview</a></p>");
        search(html, query);
        if (users.isEmpty()) {
            html.append("<p id=\"no-user\" class=\"empty\">No user ").append(esc(query)).append(" has registered.</p>");
        }
        for (UserLookup.UserBindings user : users) {
            html.append("<h2 class=\"aor\">").append(esc(user.aor())).append("</h2>");
            if (user.bindings().isEmpty()) {
                html.append("<p class=\"empty\">No live binding.</p>");
                continue;
            }
            html.append("<table class=\"bindings\"><tr><th>Contact</th><th>Transport</th><th>Expires in</th>"
                    + "<th>Push provider</th><th>App</th><th>Token</th><th>Last registration</th><th>User agent</th></tr>");
            for (BindingView b : user.bindings()) {
                html.append("<tr class=\"binding\"><td class=\"contact\">").append(esc(b.contact()))
                        .append("</td><td class=\"transport\">").append(esc(b.transport()))
                        .append("</td><td class=\"expires\">").append(b.expiresIn(now)).append(" s")
                        .append("</td><td class=\"provider\">").append(esc(b.provider()))
                        .append("</td><td class=\"app\">").append(esc(b.appId()))
                        .append("</td><td class=\"token\">").append(esc(b.tokenMasked()))
                        .append("</td><td class=\"registered\">").append(time(b.lastRegistration()))
                        .append("</td><td class=\"user-agent\">").append(esc(b.userAgent())).append("</td></tr>");
            }
            html.append("</table>");
        }
        return html.append("</body></html>\n").toString();
    }

    private static void calls(StringBuilder html, List<HeldCallSnapshot> calls, Instant now) {
        if (calls.isEmpty()) {
            html.append("<p id=\"no-held-calls\" class=\"empty\">No call is held.</p>");
            return;
        }
        html.append("<table id=\"held-calls\"><tr><th>Callee</th><th>Caller</th><th>Call-ID</th><th>Age</th>"
                + "<th>State</th><th>Devices pushed</th></tr>");
        for (HeldCallSnapshot call : calls) {
            html.append("<tr class=\"held-call\" data-call-id=\"").append(esc(call.callId())).append("\"><td class=\"callee\">")
                    .append(esc(call.callee())).append("</td><td>").append(esc(call.caller()))
                    .append("</td><td class=\"call-id\">").append(esc(call.callId()))
                    .append("</td><td class=\"age\">").append(Math.max(0, call.age(now).toMillis()) / 100 / 10.0).append(" s")
                    .append("</td><td>").append(esc(call.state())).append("</td><td><ul>");
            for (HeldCallSnapshot.DevicePush device : call.devices()) {
                html.append("<li class=\"device\">").append(esc(device.provider())).append(' ').append(esc(device.appId()))
                        .append(' ').append(esc(device.tokenMasked())).append(": <span class=\"push-state\">")
                        .append(esc(device.pushState())).append("</span></li>");
            }
            html.append("</ul></td></tr>");
        }
        html.append("</table>");
    }

    private static void pushes(StringBuilder html, String id, List<PushRecord> pushes) {
        if (pushes.isEmpty()) {
            html.append("<p id=\"").append(id).append("\" class=\"empty\">No push yet.</p>");
            return;
        }
        html.append("<table id=\"").append(id).append("\"><tr><th>At</th><th>Provider</th><th>Kind</th><th>Outcome</th>"
                + "<th>Reason</th><th>App</th><th>Token</th><th>Callee</th><th>Call-ID</th></tr>");
        for (PushRecord p : pushes) {
            html.append("<tr class=\"push\"><td>").append(time(p.at())).append("</td><td class=\"provider\">")
                    .append(esc(p.provider())).append("</td><td>").append(esc(p.kind()))
                    .append("</td><td class=\"outcome\">").append(esc(p.outcome()))
                    .append("</td><td class=\"reason\">").append(esc(p.reason()))
                    .append("</td><td>").append(esc(p.appId())).append("</td><td>").append(esc(p.tokenMasked()))
                    .append("</td><td>").append(esc(p.callee())).append("</td><td>").append(esc(p.callId()))
                    .append("</td></tr>");
        }
        html.append("</table>");
    }

    private static void search(StringBuilder html, String query) {
        html.append("<form id=\"search\" method=\"get\" action=\"users\"><label>User <input type=\"text\" name=\"q\" id=\"q\" value=\"")
                .append(esc(query)).append("\" placeholder=\"alice or alice@example.com\"></label>"
                        + " <button type=\"submit\" id=\"find\">Find</button></form>");
    }

    private static StringBuilder head(String title, int refreshSeconds) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (refreshSeconds > 0) {
            html.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        return html.append("<title>").append(esc(title)).append("</title><style>").append(STYLE)
                .append("</style></head><body><h1>").append(esc(title)).append("</h1>");
    }

    private static String time(Instant instant) {
        return esc(instant.truncatedTo(ChronoUnit.SECONDS).toString());
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
