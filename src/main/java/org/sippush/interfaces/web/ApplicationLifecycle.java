package org.sippush.interfaces.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

import org.sippush.application.PushDispatcher;
import org.sippush.application.Registrar;
import org.sippush.application.RegistrarPolicy;
import org.sippush.application.Services;
import org.sippush.application.auth.DigestAuthenticator;
import org.sippush.application.auth.Limits;
import org.sippush.application.auth.Security;
import org.sippush.application.auth.Subscribers;
import org.sippush.application.auth.TrustedPeers;
import org.sippush.application.message.InstantMessages;
import org.sippush.application.message.MessagePolicy;
import org.sippush.infrastructure.persistence.JpaMessageStore;
import org.sippush.infrastructure.persistence.JpaSubscriberRepository;
import org.sippush.config.Settings;
import org.sippush.infrastructure.persistence.Database;
import org.sippush.infrastructure.persistence.JpaBindingRepository;
import org.sippush.infrastructure.push.LoggingPushGateway;
import org.sippush.infrastructure.push.PushProviders;
import org.sippush.infrastructure.push.WebhookPushGateway;
import org.sippush.domain.push.PushGateway;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.subscriber.DigestAlgorithm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the application when the container deploys it and takes it down when undeployed:
 * settings, database (migrated), registrar, and the job that purges expired bindings.
 */
public final class ApplicationLifecycle implements ServletContextListener {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationLifecycle.class);

    /** Servlet context attribute: the {@link JpaBindingRepository}, for its write counters in /status. */
    static final String BINDING_STORE = "org.sippush.bindingStore";

    private Database database;
    private JpaBindingRepository bindings;
    private PushDispatcher pushes;
    private ScheduledExecutorService housekeeping;
    private org.sippush.infrastructure.metrics.ServerMetrics metrics;
    private org.sippush.infrastructure.persistence.DatabaseProbe probe;
    private org.sippush.infrastructure.persistence.DatabaseProbe metricsProbe;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        keepContainerStatisticsHome();
        Settings settings = Settings.load();
        database = Database.open(settings.get("db.url"), settings.get("db.user", ""),
                settings.get("db.password", ""), settings.getInt("db.pool-size", 10));
        bindings = new JpaBindingRepository(database.entityManagerFactory(), settings.getInt("db.writers", 2),
                settings.getInt("db.batch-size", 64));
        JpaBindingRepository bindings = this.bindings;
        event.getServletContext().setAttribute(BINDING_STORE, bindings);
        RegistrarPolicy policy = new RegistrarPolicy(settings.getInt("registrar.min-expires"),
                settings.getInt("registrar.max-expires"), settings.getInt("registrar.default-expires"),
                settings.getInt("limits.contacts-per-aor", RegistrarPolicy.DEFAULT_MAX_CONTACTS));
        Registrar registrar = new Registrar(bindings, policy, Clock.systemUTC());

        List<String> domains = new ArrayList<>();
        for (String domain : settings.getList("sip.domains")) {
            domains.add(domain.toLowerCase(Locale.ROOT));
        }
        String bindAddress = settings.get("sip.bind-address", "");
        if (!bindAddress.isEmpty() && !bindAddress.equals("0.0.0.0") && !domains.contains(bindAddress)) {
            domains.add(bindAddress);
        }
        PushProviders providers = PushProviders.fromSettings(settings, Clock.systemUTC());
        metrics = new org.sippush.infrastructure.metrics.ServerMetrics();
        pushes = new PushDispatcher(providers.gateways(), fallbackGateway(settings), settings.getInt("push.threads", 4),
                settings.getInt("push.queue", 10_000), Clock.systemUTC(), rejected -> {
                    int changed = bindings.removeDevice(rejected.message().target().identityKey());
                    LOG.info("Push token {} is dead ({}): {} binding(s) of that device removed",
                            PushSettings.mask(rejected.message().token()), rejected.reason(), changed);
                }, metrics);
        Duration pushWait = Duration.ofSeconds(settings.getInt("push.wait", 30));
        Security security = security(settings, database, domains);
        InstantMessages messages = new InstantMessages(new JpaMessageStore(database.entityManagerFactory()),
                messagePolicy(settings), Clock.systemUTC());
        org.sippush.application.CallMetrics callMetrics = new org.sippush.application.CallMetrics(metrics);
        Services services = new Services(domains, registrar, bindings, pushes, pushWait, providers::accepts, security,
                missedCallNotice(settings), pushGrace(settings), callMetrics,
                Duration.ofSeconds(settings.getInt("shutdown.drain-seconds", 20)), messages);
        event.getServletContext().setAttribute(Services.ATTRIBUTE, services);
        operations(event.getServletContext(), services, domains);

        int purgeEvery = settings.getInt("registrar.purge-interval", 60);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sippush-purge");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(() -> purge(bindings), purgeEvery, purgeEvery, TimeUnit.SECONDS);
        int purgeMessagesEvery = settings.getInt(Settings.MESSAGE_PURGE_INTERVAL, 60);
        housekeeping.scheduleWithFixedDelay(() -> purgeMessages(messages), purgeMessagesEvery, purgeMessagesEvery,
                TimeUnit.SECONDS);
        LOG.info("sip-push-server ready: domains {}, expiry {}..{} s (default {} s), push wait {} s, push providers: {};"
                        + " other pushes: {}", domains, policy.minExpires(), policy.maxExpires(), policy.defaultExpires(),
                pushWait.toSeconds(), providers.describe(), settings.get("push.provider", "log"));
        if (security.authentication()) {
            LOG.info("Digest authentication on (realm: {}; algorithms offered: {}); trusted peers: {}",
                    settings.get("auth.realm", "").isBlank() ? "each domain" : settings.get("auth.realm"),
                    security.digest().algorithms().stream().map(DigestAlgorithm::wireName).toList(),
                    security.trustedPeers());
        } else {
            LOG.warn("Digest authentication is OFF (auth.enabled=false): anyone who reaches the SIP port can"
                    + " register any user of {} and take their calls", domains);
        }
    }

    /** The operator pages', /health's and /metrics' view of the application (web.xml). */
    private void operations(javax.servlet.ServletContext context, Services services, List<String> domains) {
        probe = new org.sippush.infrastructure.persistence.DatabaseProbe(database.dataSource(), Duration.ofSeconds(2));
        JpaBindingRepository store = bindings;
        // the gauges' count has its own thread and a longer bound than the health check's
        metricsProbe = new org.sippush.infrastructure.persistence.DatabaseProbe(database.dataSource(), Duration.ofSeconds(5));
        org.sippush.infrastructure.persistence.DatabaseProbe bounded = metricsProbe;
        metrics.bindCalls(services.metrics());
        List<String> providerNames = new ArrayList<>();
        for (org.sippush.domain.binding.PushProvider provider : org.sippush.domain.binding.PushProvider.values()) {
            providerNames.add(provider.wireName());
        }
        providerNames.add("none");
        metrics.bindBindings(providerNames, () -> bounded.within(() -> store.liveByProvider(Instant.now())));
        metrics.bindDatabaseWrites(store, JpaBindingRepository::transactions, JpaBindingRepository::units,
                JpaBindingRepository::pending);
        context.setAttribute(Operations.ATTRIBUTE, new Operations(services,
                new org.sippush.application.ops.UserLookup(bindings, domains, Clock.systemUTC()), metrics, probe, store));
    }

    /**
     * Which phones get a missed-call notice: those of an app with {@code push.app.<name>.missed-call-notice=true},
     * or every phone with {@code push.missed-call-notice=true} (apps may still turn it off).
     */
    static java.util.function.Predicate<PushSettings> missedCallNotice(Settings settings) {
        boolean all = settings.getBoolean("push.missed-call-notice", false);
        java.util.Map<String, Boolean> apps = new java.util.HashMap<>();
        for (String name : settings.getList("push.apps")) {
            String key = "push.app." + name + ".missed-call-notice";
            if (!settings.get(key, "").isEmpty()) {
                apps.put(settings.get("push.app." + name + ".id"), settings.getBoolean(key, all));
            }
        }
        return push -> apps.getOrDefault(push.appId(), all);
    }

    /**
     * How long a call waits for a phone's old contact to answer before pushing it:
     * {@code push.app.<name>.push-grace-ms}, else {@code push.grace-ms} (default 0: push at once).
     */
    static java.util.function.ToLongFunction<PushSettings> pushGrace(Settings settings) {
        long all = settings.getInt("push.grace-ms", 0);
        java.util.Map<String, Long> apps = new java.util.HashMap<>();
        for (String name : settings.getList("push.apps")) {
            String key = "push.app." + name + ".push-grace-ms";
            if (!settings.get(key, "").isEmpty()) {
                apps.put(settings.get("push.app." + name + ".id"), (long) settings.getInt(key));
            }
        }
        return push -> apps.getOrDefault(push.appId(), all);
    }

    /**
     * The message.* settings, with the per-app preview and priority of {@code push.app.<name>.message-*}
     * (apps are matched by their {@code push.app.<name>.id}).
     */
    static MessagePolicy messagePolicy(Settings settings) {
        boolean preview = settings.getBoolean(Settings.MESSAGE_PREVIEW, true);
        int length = settings.getInt(Settings.MESSAGE_PREVIEW_LENGTH, 100);
        boolean high = settings.getBoolean(Settings.MESSAGE_HIGH_PRIORITY, false);
        java.util.Map<String, Integer> lengths = new java.util.HashMap<>();
        java.util.Map<String, Boolean> priorities = new java.util.HashMap<>();
        for (String name : settings.getList("push.apps")) {
            String id = settings.get("push.app." + name + ".id", name);
            boolean appPreview = settings.getBoolean(Settings.appMessagePreview(name), preview);
            int appLength = settings.getInt(Settings.appMessagePreviewLength(name), length);
            lengths.put(id, appPreview ? appLength : 0);
            priorities.put(id, settings.getBoolean(Settings.appMessageHighPriority(name), high));
        }
        int defaultLength = preview ? length : 0;
        return new MessagePolicy(Duration.ofSeconds(settings.getInt(Settings.MESSAGE_EXPIRY, 604_800)),
                settings.getInt(Settings.MESSAGE_MAX_PER_USER, 100), settings.getInt(Settings.MESSAGE_MAX_BODY_BYTES, 8192),
                push -> lengths.getOrDefault(push.appId(), defaultLength),
                push -> priorities.getOrDefault(push.appId(), high));
    }

    /** Subscribers, digest authentication, trusted peers and limits from the auth.* and limits.* settings. */
    static Security security(Settings settings, Database database, List<String> domains) {
        String realm = settings.get("auth.realm", "");
        Subscribers subscribers = new Subscribers(new JpaSubscriberRepository(database.entityManagerFactory()),
                realm, domains::contains, Clock.systemUTC());
        String secret = settings.get("auth.nonce-secret", "");
        byte[] nonceSecret = secret.isEmpty() ? null : sha256(secret);
        List<DigestAlgorithm> algorithms;
        try {
            algorithms = settings.getList("auth.algorithms").isEmpty() ? DigestAuthenticator.DEFAULT_ALGORITHMS
                    : DigestAuthenticator.algorithms(settings.getList("auth.algorithms"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Setting auth.algorithms: " + e.getMessage(), e);
        }
        DigestAuthenticator digest = new DigestAuthenticator(subscribers, nonceSecret,
                Duration.ofSeconds(settings.getInt("auth.nonce-lifetime", 300)), Clock.systemUTC(), algorithms);
        TrustedPeers trusted;
        try {
            trusted = TrustedPeers.parse(settings.getList("auth.trusted-peers"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Setting auth.trusted-peers: " + e.getMessage(), e);
        }
        Limits limits = Limits.of(settings.getInt("limits.requests-per-second", 50),
                settings.getInt("limits.request-burst", 100), settings.getInt("limits.pushes-per-device-per-minute", 10),
                settings.getInt("limits.held-calls-per-user", 10),
                settings.getInt("limits.held-calls", 20_000));
        return new Security(settings.getBoolean("auth.enabled", true), subscribers, digest, trusted, limits);
    }

    private static byte[] sha256(String secret) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The provider of pushes that no APNs/FCM credential covers: the log, or an operator's webhook. */
    private static PushGateway fallbackGateway(Settings settings) {
        String provider = settings.get("push.provider", "log");
        return switch (provider) {
            case "log" -> new LoggingPushGateway();
            case "webhook" -> new WebhookPushGateway(URI.create(settings.get("push.webhook.url")));
            default -> throw new IllegalStateException("push.provider must be 'log' or 'webhook', not '" + provider + "'");
        };
    }

    private static void purge(JpaBindingRepository bindings) {
        try {
            int purged = bindings.purgeExpired(Instant.now());
            if (purged > 0) {
                LOG.info("Purged {} expired binding(s)", purged);
            }
        } catch (RuntimeException e) {
            LOG.warn("Purging expired bindings failed; will try again", e);
        }
    }

    private static void purgeMessages(InstantMessages messages) {
        try {
            int purged = messages.purgeExpired();
            if (purged > 0) {
                LOG.info("Deleted {} expired message(s) undelivered", purged);
            }
        } catch (RuntimeException e) {
            LOG.warn("Purging expired messages failed; will try again", e);
        }
    }

    /**
     * Restcomm 3.2 reports usage statistics to https://statistics.restcomm.com/ daily and once when
     * it stops. The standalone container turns both off (server.xml: gatherStatistics="false" and
     * org.sippush.launcher.ContainerSetup); a container that does not read that server.xml (the
     * embedded one of the tests, another Restcomm installation) still reports when it stops. Point
     * its reporter at loopback, where the attempt fails at once: nothing leaves the machine.
     */
    private static void keepContainerStatisticsHome() {
        try {
            Class<?> reporter = Class.forName("org.restcomm.commons.statistics.reporter.RestcommStatsReporter");
            Object instance = reporter.getMethod("getRestcommStatsReporter").invoke(null);
            reporter.getMethod("setRemoteServer", String.class).invoke(instance, "http://127.0.0.1:9/");
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("Could not point Restcomm's statistics reporter at loopback ({})", e.toString());
        }
    }

    /** The JDBC drivers of WEB-INF/lib registered themselves with DriverManager: let go of them. */
    private static void deregisterJdbcDrivers() {
        ClassLoader ours = ApplicationLifecycle.class.getClassLoader();
        for (java.sql.Driver driver : java.util.Collections.list(java.sql.DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == ours) {
                try {
                    java.sql.DriverManager.deregisterDriver(driver);
                } catch (java.sql.SQLException e) {
                    LOG.warn("Cannot deregister JDBC driver {}", driver, e);
                }
            }
        }
    }

    /**
     * HikariCP's connection closer ends a moment after the pool closed; Tomcat checks for threads
     * left behind right after this listener returns. Wait for them (at most 5 s).
     */
    private static void awaitPoolThreads() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("sippush-db")) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(Services.ATTRIBUTE);
        event.getServletContext().removeAttribute(BINDING_STORE);
        event.getServletContext().removeAttribute(Operations.ATTRIBUTE);
        if (probe != null) {
            probe.close();
        }
        if (metricsProbe != null) {
            metricsProbe.close();
        }
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (pushes != null) {
            pushes.close();
        }
        if (bindings != null) {
            bindings.close();
        }
        if (database != null) {
            database.close();
            awaitPoolThreads();
        }
        if (metrics != null) {
            metrics.close();
        }
        deregisterJdbcDrivers();
        LOG.info("sip-push-server stopped");
    }
}
