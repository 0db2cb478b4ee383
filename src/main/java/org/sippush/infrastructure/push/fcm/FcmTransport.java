package org.sippush.infrastructure.push.fcm;

import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.util.Locale;

import com.google.api.client.http.javanet.ConnectionFactory;
import com.google.api.client.http.javanet.NetHttpTransport;

/**
 * The HTTP stack every request of firebase-admin goes through: the OAuth token request to
 * {@code oauth2.googleapis.com} and the {@code messages:send} to {@code fcm.googleapis.com}.
 *
 * <p>Two things happen in its {@link ConnectionFactory}:
 * <ul>
 *   <li>with an endpoint override (a test peer, a relay), each URL becomes the override's base plus the
 *       original path and query;</li>
 *   <li>each connection is wrapped in a {@link NoLibraryRetryConnection}, which keeps firebase-admin from
 *       retrying a 503 on its own (it would sleep 0.5 + 1 + 2 + 4 s on one of its threads, resending a
 *       message whose time to live was computed for the first attempt): the
 *       {@link org.sippush.application.PushDispatcher} owns the retry policy and stops at the push's
 *       expiry.</li>
 * </ul>
 */
final class FcmTransport {

    private FcmTransport() {
    }

    static NetHttpTransport create(URI endpointOverride) {
        String base = endpointOverride == null ? null : base(endpointOverride);
        ConnectionFactory connections = url -> {
            URL target = base == null ? url : new URL(base + url.getFile());
            return new NoLibraryRetryConnection((HttpURLConnection) target.openConnection());
        };
        return new NetHttpTransport.Builder().setConnectionFactory(connections).build();
    }

    /** {@code scheme://authority[/path]} without a trailing slash. */
    private static String base(URI override) {
        String scheme = override.getScheme() == null ? "" : override.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || override.getRawAuthority() == null) {
            throw new IllegalArgumentException("FCM endpoint override must be an http(s) URL such as "
                    + "http://127.0.0.1:8089, not " + override);
        }
        if (override.getRawQuery() != null || override.getRawFragment() != null) {
            throw new IllegalArgumentException("FCM endpoint override must not have a query or fragment: " + override);
        }
        String path = override.getRawPath() == null ? "" : override.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return scheme + "://" + override.getRawAuthority() + path;
    }

    /** Validates an override early (the builder calls it), so a typo fails at start-up, not at the first push. */
    static void check(URI endpointOverride) {
        if (endpointOverride != null) {
            base(endpointOverride);
        }
    }
}
