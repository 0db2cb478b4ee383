package org.sippush.infrastructure.push.apns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.eatthepath.pushy.apns.util.concurrent.PushNotificationFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.push.PushGateway;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apple Push Notification service behind the {@link PushGateway} port, through pushy. Bindings whose
 * provider is {@link PushProvider#APNS} go to the production host, {@link PushProvider#APNS_SANDBOX}
 * to the sandbox host (their tokens are not interchangeable). Each set of credentials gets one
 * long-lived HTTP/2 connection per environment, opened on its first push and shared by all pushes
 * after it; all of them run on one small event loop group that this gateway owns.
 *
 * <pre>{@code
 * ApnsGateway apns = ApnsGateway.builder()
 *         .app("com.example.phone",
 *                 ApnsCredentials.signingKey(Path.of("AuthKey_ABC123DEFG.p8"), "TEAMID1234", "ABC123DEFG"))
 *         .build();
 * }</pre>
 */
public final class ApnsGateway implements PushGateway {

    public static final String PRODUCTION_HOST = "api.push.apple.com";
    public static final String SANDBOX_HOST = "api.sandbox.push.apple.com";
    public static final int DEFAULT_PORT = 443;

    private static final Logger LOG = LoggerFactory.getLogger(ApnsGateway.class);

    /** Both environments of one app. */
    private record Route(ApnsConnection production, ApnsConnection sandbox) {
    }

    private final Map<String, Route> routes;
    private final List<ApnsConnection> connections;
    private final EventLoopGroup group;
    /** Response timeouts: one wheel for all pushes, cheaper per push than a scheduled executor. */
    private final Timer timer = new HashedWheelTimer(new DefaultThreadFactory("sippush-apns-timer", true),
            50, TimeUnit.MILLISECONDS);
    private final Clock clock;
    private final Duration responseTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApnsGateway(Builder builder) {
        this.clock = builder.clock;
        this.responseTimeout = builder.responseTimeout;
        this.group = newEventLoopGroup(builder.ioThreads);
        Endpoint production = Endpoint.parse(builder.productionHost, builder.port);
        Endpoint sandbox = Endpoint.parse(builder.sandboxHost, builder.port);
        Map<ApnsCredentials, Route> shared = new HashMap<>();
        Map<String, Route> byApp = new HashMap<>();
        List<ApnsConnection> all = new ArrayList<>();
        Function<Endpoint, Function<ApnsCredentials, ApnsConnection>> connect = endpoint -> credentials -> {
            ApnsConnection connection = new ApnsConnection(credentials, endpoint.host(), endpoint.port(),
                    builder.trustedServerCertificate, builder.connectTimeout, group);
            all.add(connection);
            return connection;
        };
        builder.apps.forEach((appId, credentials) -> byApp.put(appId, shared.computeIfAbsent(credentials,
                c -> new Route(connect.apply(production).apply(c), connect.apply(sandbox).apply(c)))));
        this.routes = Map.copyOf(byApp);
        this.connections = List.copyOf(all);
    }

    @SuppressWarnings("deprecation") // pushy 0.15 picks its channel classes by the group's class: NIO it is
    private static EventLoopGroup newEventLoopGroup(int threads) {
        return new NioEventLoopGroup(threads, new DefaultThreadFactory("sippush-apns", true));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether pushes to this bundle id can be sent (the gateway has credentials for it). */
    public boolean serves(String appId) {
        return routes.containsKey(appId);
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushMessage message) {
        try {
            return dispatch(message);
        } catch (RuntimeException e) {
            LOG.warn("APNs push {} not sent: {}", message, e.toString());
            return CompletableFuture.completedFuture(ApnsAnswers.failure(message, e));
        }
    }

    private CompletableFuture<PushOutcome> dispatch(PushMessage message) {
        if (closed.get()) {
            return CompletableFuture.completedFuture(new PushOutcome.Failed(message, "APNs gateway closed", -1));
        }
        PushProvider provider = message.target().provider();
        Route route = routes.get(message.target().appId());
        if (!provider.isApns() || route == null) {
            String reason = provider.isApns() ? "no APNs credentials for app " + message.target().appId()
                    : "not an APNs binding (" + provider.wireName() + ")";
            LOG.warn("APNs push {} not sent: {}", message, reason);
            return CompletableFuture.completedFuture(new PushOutcome.Rejected(message, reason, false));
        }
        if (!message.expiresAt().isAfter(clock.instant())) {
            return CompletableFuture.completedFuture(
                    new PushOutcome.Failed(message, "push expired before it was sent", -1));
        }
        SimpleApnsPushNotification notification = ApnsNotifications.of(message);
        ApnsConnection connection = provider == PushProvider.APNS_SANDBOX ? route.sandbox() : route.production();
        ApnsClient ready = connection.readyClient();
        if (ready != null) {
            return send(ready, notification, message);
        }
        return connection.client()
                .handle((client, error) -> error != null
                        ? CompletableFuture.completedFuture(unusableCredentials(message, error))
                        : send(client, notification, message))
                .thenCompose(Function.identity());
    }

    private CompletableFuture<PushOutcome> send(ApnsClient client, SimpleApnsPushNotification notification,
                                                PushMessage message) {
        try {
            PushNotificationFuture<SimpleApnsPushNotification, PushNotificationResponse<SimpleApnsPushNotification>>
                    response = client.sendNotification(notification);
            Timeout timeout = timer.newTimeout(t -> response.completeExceptionally(
                    new TimeoutException("no answer from APNs within " + responseTimeout.toMillis() + " ms")),
                    responseTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return response.handle((answer, failure) -> {
                timeout.cancel();
                return answered(message, answer, failure);
            });
        } catch (RuntimeException e) { // the gateway was closed meanwhile
            return CompletableFuture.completedFuture(ApnsAnswers.failure(message, e));
        }
    }

    private static PushOutcome unusableCredentials(PushMessage message, Throwable error) {
        Throwable cause = ApnsAnswers.unwrap(error);
        return new PushOutcome.Rejected(message, "APNs credentials for app " + message.target().appId()
                + " unusable: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), false);
    }

    private static PushOutcome answered(PushMessage message,
                                        PushNotificationResponse<SimpleApnsPushNotification> response,
                                        Throwable failure) {
        PushOutcome outcome = ApnsAnswers.outcome(message, response, failure);
        if (outcome instanceof PushOutcome.Accepted) {
            LOG.debug("APNs accepted {}", message);
        } else if (outcome instanceof PushOutcome.Rejected rejected) {
            if (rejected.tokenGone()) {
                LOG.info("APNs rejected {}: {}; the token is gone", message, rejected.reason());
            } else {
                LOG.warn("APNs rejected {}: {}", message, rejected.reason());
            }
        } else {
            LOG.debug("APNs push {} failed: {}", message, ((PushOutcome.Failed) outcome).reason());
        }
        return outcome;
    }

    @Override
    public String name() {
        return "apns";
    }

    /** How many pushy clients exist (one per credentials and environment that have been used). */
    int clientCount() {
        return (int) connections.stream().filter(ApnsConnection::started).count();
    }

    /** Closes every connection and the event loop group; pushes still in flight fail. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<?>[] closing =
                connections.stream().map(ApnsConnection::close).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(closing).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("APNs clients did not close cleanly: {}", e.toString());
        }
        timer.stop();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** A host with an optional {@code :port}; an IPv6 literal with a port goes in brackets. */
    private record Endpoint(String host, int port) {
        static Endpoint parse(String hostAndPort, int defaultPort) {
            if (hostAndPort.startsWith("[")) {
                int end = hostAndPort.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("APNs host " + hostAndPort + ": no closing ]");
                }
                String rest = hostAndPort.substring(end + 1);
                int port = rest.isEmpty() ? defaultPort
                        : port(rest.startsWith(":") ? rest.substring(1) : rest, hostAndPort);
                return new Endpoint(hostAndPort.substring(1, end), port);
            }
            int colon = hostAndPort.indexOf(':');
            if (colon < 0 || colon != hostAndPort.lastIndexOf(':')) {
                return new Endpoint(hostAndPort, defaultPort); // a name, an IPv4 address or a bare IPv6 literal
            }
            return new Endpoint(hostAndPort.substring(0, colon), port(hostAndPort.substring(colon + 1), hostAndPort));
        }

        private static int port(String text, String whole) {
            try {
                return checkPort(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("APNs host " + whole + ": '" + text + "' is not a port");
            }
        }
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("APNs port must be between 1 and 65535, not " + port);
        }
        return port;
    }

    /** Settings of an {@link ApnsGateway}; only the credentials are required. */
    public static final class Builder {

        private final Map<String, ApnsCredentials> apps = new LinkedHashMap<>();
        private String productionHost = PRODUCTION_HOST;
        private String sandboxHost = SANDBOX_HOST;
        private int port = DEFAULT_PORT;
        private Path trustedServerCertificate;
        private Clock clock = Clock.systemUTC();
        private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** The credentials of each app, by bundle id (without {@code .voip}). */
        public Builder credentials(Map<String, ApnsCredentials> byAppId) {
            Objects.requireNonNull(byAppId, "credentials must not be null").forEach(this::app);
            return this;
        }

        /** The credentials of one app, by bundle id (without {@code .voip}). */
        public Builder app(String appId, ApnsCredentials credentials) {
            Objects.requireNonNull(appId, "app id must not be null");
            Objects.requireNonNull(credentials, "credentials of app " + appId + " must not be null");
            if (appId.isBlank() || appId.endsWith(".voip")) {
                throw new IllegalArgumentException(
                        "APNs app id must be a bundle id without .voip, not '" + appId + "'");
            }
            apps.put(appId, credentials);
            return this;
        }

        /** The production host, {@value #PRODUCTION_HOST} by default; {@code host:port} overrides {@link #port}. */
        public Builder productionHost(String host) {
            this.productionHost = requireHost(host);
            return this;
        }

        /** The sandbox host, {@value #SANDBOX_HOST} by default; {@code host:port} overrides {@link #port}. */
        public Builder sandboxHost(String host) {
            this.sandboxHost = requireHost(host);
            return this;
        }

        /** The port of both hosts: {@value #DEFAULT_PORT} (default) or Apple's alternative 2197. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /**
         * A PEM file of the certificates to trust for the APNs server instead of the JVM's trust store
         * (a test server, a TLS-intercepting proxy); null for the JVM's.
         */
        public Builder trustedServerCertificate(Path pemFile) {
            this.trustedServerCertificate = pemFile;
            return this;
        }

        /** The clock that decides whether a push has expired before it is sent. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Threads of the event loop group all connections share (default: processors, at most 4). */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("APNs I/O threads must be at least 1, not " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** How long connecting to APNs may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive(timeout, "connect timeout");
            return this;
        }

        /** How long a push may wait for APNs' answer before it counts as failed (default 10 s). */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = requirePositive(timeout, "response timeout");
            return this;
        }

        public ApnsGateway build() {
            Endpoint.parse(productionHost, port);
            Endpoint.parse(sandboxHost, port);
            if (trustedServerCertificate != null && !Files.isReadable(trustedServerCertificate)) {
                throw new IllegalArgumentException("the trusted APNs server certificate file "
                        + trustedServerCertificate + " is not readable");
            }
            return new ApnsGateway(this);
        }

        private static String requireHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("APNs host must not be empty");
            }
            return host.trim();
        }

        private static Duration requirePositive(Duration value, String what) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("APNs " + what + " must be positive, not " + value);
            }
            return value;
        }
    }
}
