package org.sippush.infrastructure.push.fcm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.FirebaseMessaging;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushGateway;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Firebase Cloud Messaging (HTTP v1) behind the {@link PushGateway} port, through firebase-admin. Each
 * {@link FcmProject} gets its own {@link FirebaseApp} with its own service-account credentials; a push goes
 * to the project that serves the binding's app id (the Android package name, or the Firebase project id an
 * RFC 8599 phone sends as {@code pn-param}).
 *
 * <p>Sending never blocks the caller: firebase-admin sends on its own threads and its future is adapted
 * without waiting. The outcome arrives at the latest when the push expires. firebase-admin's own retries of
 * {@code 503} are switched off (see {@link NoLibraryRetryConnection}): a transient failure comes back as
 * {@link PushOutcome.Failed} at once, and the {@link org.sippush.application.PushDispatcher} decides whether
 * there is time for another attempt.
 *
 * <pre>{@code
 * FcmGateway fcm = FcmGateway.builder()
 *         .project(FcmProject.of("example-phone", Path.of("/etc/sippush/example-phone-firebase.json"), "com.example.phone"))
 *         .build();
 * }</pre>
 */
public final class FcmGateway implements PushGateway {

    private static final Logger LOG = LoggerFactory.getLogger(FcmGateway.class);

    /** One project and the firebase-admin objects that send through it. */
    private record Route(FcmProject project, FirebaseApp app, FirebaseMessaging messaging) {
    }

    private final List<Route> routes;
    private final Clock clock;
    private final Map<CompletableFuture<PushOutcome>, PushMessage> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FcmGateway(Builder builder, List<Route> routes) {
        this.clock = builder.clock;
        this.routes = List.copyOf(routes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether pushes for this app id (package name or Firebase project id) can be sent. */
    public boolean serves(String appId) {
        return route(appId) != null;
    }

    /** The Firebase project ids this gateway sends through. */
    public List<String> projectIds() {
        return routes.stream().map(r -> r.project().projectId()).toList();
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushMessage message) {
        try {
            return dispatch(message);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("FCM push {} not sent: {}", message, e.toString());
            return CompletableFuture.completedFuture(new PushOutcome.Failed(message, "FCM push not sent: " + e, -1));
        }
    }

    private CompletableFuture<PushOutcome> dispatch(PushMessage message) {
        if (closed.get()) {
            return CompletableFuture.completedFuture(new PushOutcome.Failed(message, "FCM gateway closed", -1));
        }
        PushSettings target = message.target();
        Route route = target.provider() == PushProvider.FCM ? routeFor(target) : null;
        if (route == null) {
            String reason = target.provider() == PushProvider.FCM ? "no FCM project for app " + target.appId()
                    : "not an FCM binding (" + target.provider().wireName() + ")";
            LOG.warn("FCM push {} not sent: {}", message, reason);
            return CompletableFuture.completedFuture(new PushOutcome.Rejected(message, reason, false));
        }
        Instant now = clock.instant();
        if (!message.expiresAt().isAfter(now)) {
            return CompletableFuture.completedFuture(
                    new PushOutcome.Failed(message, "push expired before it was sent", -1));
        }
        ApiFuture<String> sent = route.messaging().sendAsync(FcmMessages.of(message, now));
        CompletableFuture<PushOutcome> result = new CompletableFuture<>();
        inFlight.put(result, message);
        result.whenComplete((outcome, error) -> inFlight.remove(result));
        ApiFutures.addCallback(sent, new ApiFutureCallback<String>() {
            @Override
            public void onSuccess(String messageName) {
                result.complete(logged(route, FcmAnswers.accepted(message, messageName)));
            }

            @Override
            public void onFailure(Throwable error) {
                result.complete(logged(route, FcmAnswers.failure(message, error, clock)));
            }
        }, Runnable::run);
        // The answer is of no use once the push has expired: the dispatcher will not retry then either.
        // (+1 ms: toMillis() truncates, and the timer must not fire before the expiry on the wall clock.)
        result.completeOnTimeout(new PushOutcome.Failed(message, "no answer from FCM before the push expired", -1),
                Duration.between(now, message.expiresAt()).toMillis() + 1, TimeUnit.MILLISECONDS);
        return result;
    }

    private Route routeFor(PushSettings target) {
        Route route = route(target.appId());
        return route != null || target.param() == null ? route : route(target.param());
    }

    private Route route(String appId) {
        for (Route route : routes) {
            if (route.project().serves(appId)) {
                return route;
            }
        }
        return null;
    }

    private static PushOutcome logged(Route route, PushOutcome outcome) {
        PushMessage message = outcome.message();
        String project = route.project().projectId();
        if (outcome instanceof PushOutcome.Accepted accepted) {
            LOG.debug("FCM ({}) accepted {} as {}", project, message, accepted.providerId());
        } else if (outcome instanceof PushOutcome.Rejected rejected) {
            if (rejected.tokenGone()) {
                LOG.info("FCM ({}) rejected {}: {}; the token is gone", project, message, rejected.reason());
            } else {
                LOG.warn("FCM ({}) rejected {}: {}", project, message, rejected.reason());
            }
        } else {
            LOG.debug("FCM ({}) push {} failed: {}", project, message, ((PushOutcome.Failed) outcome).reason());
        }
        return outcome;
    }

    @Override
    public String name() {
        return "fcm " + String.join(",", projectIds());
    }

    /** Deletes the Firebase apps; pushes still in flight complete as failed. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Route route : routes) {
            try {
                route.app().delete();
            } catch (RuntimeException e) {
                LOG.warn("Firebase app {} did not close cleanly: {}", route.app().getName(), e.toString());
            }
        }
        // Deleting the apps may drop sends that were still queued: their futures would never complete.
        Map.copyOf(inFlight).forEach((pending, message) ->
                pending.complete(new PushOutcome.Failed(message, "FCM gateway closed", -1)));
    }

    /** Settings of an {@link FcmGateway}; at least one project is required. */
    public static final class Builder {

        private final List<FcmProject> projects = new ArrayList<>();
        private URI endpoint;
        private Clock clock = Clock.systemUTC();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** One Firebase project and the apps it serves. */
        public Builder project(FcmProject project) {
            projects.add(Objects.requireNonNull(project, "FCM project must not be null"));
            return this;
        }

        /** Several Firebase projects; no app id may be served by two of them. */
        public Builder projects(List<FcmProject> projects) {
            Objects.requireNonNull(projects, "FCM projects must not be null").forEach(this::project);
            return this;
        }

        /**
         * Where every request goes instead of Google (a test peer, a relay): a base URL such as
         * {@code http://127.0.0.1:8089}; each request keeps its path ({@code /token},
         * {@code /v1/projects/<p>/messages:send}). Null (the default) for Google.
         */
        public Builder endpoint(URI baseUrl) {
            FcmTransport.check(baseUrl);
            this.endpoint = baseUrl;
            return this;
        }

        /** The clock that computes each push's time to live. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** How long connecting to Google may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireMillis(timeout, "connect timeout");
            return this;
        }

        /** How long waiting for Google's answer may take (default 10 s). */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = requireMillis(timeout, "response timeout");
            return this;
        }

        /**
         * Reads the service-account files and creates one Firebase app per project.
         *
         * @throws IllegalArgumentException when there is no project, two projects share a project id or an
         *                                  app id, or a service-account file cannot be read
         */
        public FcmGateway build() {
            if (projects.isEmpty()) {
                throw new IllegalArgumentException("an FCM gateway needs at least one Firebase project");
            }
            checkNoConflicts();
            checkLibraries();
            NetHttpTransport transport = FcmTransport.create(endpoint);
            // firebase-admin keeps every FirebaseApp in a JVM-wide registry by name: a name of this
            // gateway's own (two deployments, or a redeploy before the old one closed, never clash)
            String instance = java.util.UUID.randomUUID().toString();
            List<Route> routes = new ArrayList<>();
            try {
                for (FcmProject project : projects) {
                    routes.add(route(project, transport, instance));
                }
            } catch (RuntimeException e) {
                routes.forEach(r -> r.app().delete());
                throw e;
            }
            LOG.info("FCM gateway for {}", routes.stream()
                    .map(r -> r.project().projectId() + " (apps " + r.project().appIds() + ")")
                    .collect(Collectors.joining(", ")));
            return new FcmGateway(this, routes);
        }

        private void checkNoConflicts() {
            Map<String, String> servedBy = new HashMap<>();
            for (FcmProject project : projects) {
                Set<String> ids = new LinkedHashSet<>();
                ids.add(project.projectId());
                ids.addAll(project.appIds());
                for (String id : ids) {
                    String other = servedBy.putIfAbsent(id, project.projectId());
                    if (other != null) {
                        throw new IllegalArgumentException(other.equals(project.projectId())
                                ? "FCM project " + other + " is configured twice"
                                : "app id " + id + " is served by two FCM projects: " + other + " and " + project.projectId());
                    }
                }
            }
        }

        /**
         * Fails at start-up rather than at the first push when firebase-admin's HTTP client cannot load: its
         * {@code ApiClientUtils} needs {@code google-http-client-jackson2}, which Maven brings only with the
         * Storage and Firestore clients.
         */
        private static void checkLibraries() {
            try {
                Class.forName("com.google.firebase.internal.ApiClientUtils", true, FirebaseApp.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("firebase-admin cannot send: " + e + " (is "
                        + "com.google.http-client:google-http-client-jackson2 on the class path?)", e);
            }
        }

        private Route route(FcmProject project, NetHttpTransport transport, String instance) {
            ServiceAccountCredentials credentials;
            try (InputStream json = Files.newInputStream(project.serviceAccountJson())) {
                credentials = ServiceAccountCredentials.fromStream(json, () -> transport);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("FCM project " + project.projectId() + ": the service-account file "
                        + project.serviceAccountJson() + " cannot be used: " + e.getMessage(), e);
            }
            if (credentials.getProjectId() != null && !credentials.getProjectId().equals(project.projectId())) {
                LOG.warn("FCM project {}: the service account {} belongs to project {}; FCM will refuse it unless "
                        + "it was granted access", project.projectId(), credentials.getClientEmail(), credentials.getProjectId());
            }
            FirebaseOptions options = FirebaseOptions.builder()
                    .setCredentials(credentials)
                    .setProjectId(project.projectId())
                    .setHttpTransport(transport)
                    // firebase-admin's default is Jackson, which came only with Storage and Firestore (left out)
                    .setJsonFactory(GsonFactory.getDefaultInstance())
                    .setConnectTimeout((int) connectTimeout.toMillis())
                    .setReadTimeout((int) responseTimeout.toMillis())
                    .build();
            FirebaseApp app = FirebaseApp.initializeApp(options, "sippush-" + project.projectId() + "-" + instance);
            return new Route(project, app, FirebaseMessaging.getInstance(app));
        }

        private static Duration requireMillis(Duration value, String what) {
            if (value == null || value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("FCM " + what + " must be between 1 ms and 24 days, not " + value);
            }
            return value;
        }
    }
}
