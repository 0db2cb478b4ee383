package org.sippush.infrastructure.metrics;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A push outcome's reason as a metric label: the provider's code (Apple's {@code BadDeviceToken},
 * Google's {@code UNREGISTERED}, an HTTP status), or one of a few fixed words for the server's own
 * failures. Reason texts carry tokens' apps, timestamps and exception messages: as labels they
 * would make a new time series each.
 */
final class PushReasons {

    /** "APNs 410 Unregistered (...)", "APNs 429", "FCM UNREGISTERED (HTTP 404)", "webhook 503". */
    private static final Pattern PROVIDER_CODE =
            Pattern.compile("^(?:APNs|FCM|webhook) (?:(\\d{3})(?: ([A-Za-z]+))?|([A-Z][A-Z_]+))\\b");

    private PushReasons() {
    }

    static String label(String reason) {
        if (reason == null || reason.isBlank()) {
            return "none";
        }
        Matcher code = PROVIDER_CODE.matcher(reason);
        if (code.find()) {
            if (code.group(3) != null) {
                return code.group(3);
            }
            return code.group(2) != null ? code.group(2) : code.group(1);
        }
        String text = reason.toLowerCase(Locale.ROOT);
        if (text.contains("not reached") || text.contains("unreachable")) {
            return "not-reached";
        }
        if (text.contains("expired") || text.contains("no answer")) {
            return "expired";
        }
        if (text.contains("credentials")) {
            return "credentials";
        }
        if (text.contains("overloaded")) {
            return "overloaded";
        }
        if (text.contains("closed")) {
            return "closed";
        }
        if (text.startsWith("not an ")) {
            return "wrong-provider";
        }
        return "other";
    }
}
