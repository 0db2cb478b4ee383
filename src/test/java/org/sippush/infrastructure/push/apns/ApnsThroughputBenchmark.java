package org.sippush.infrastructure.push.apns;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/**
 * How much {@link ApnsGateway} costs on top of pushy: N VoIP pushes through one gateway client and N
 * through a bare pushy {@link ApnsClient}, each with up to 1,000 in flight, against pushy's mock server
 * (accept-all handler) on this machine, after a warm-up of 50,000 pushes each. Not a test: run with
 * {@code java -cp target/test-classes:target/classes:<test class path>
 * org.sippush.infrastructure.push.apns.ApnsThroughputBenchmark [N]}.
 */
public final class ApnsThroughputBenchmark {

    private static final int DEFAULT_WARM_UP = 50_000;
    private static final int IN_FLIGHT = 1_000;
    private static final int TOKENS = 1_024;
    private static final int BLOCKS = 8;

    private record Result(String label, int count, long nanos, long cpuNanos, long[] latencies, int errors) {
        double perSecond() {
            return count * 1e9 / nanos;
        }

        double percentileMillis(double p) {
            return latencies[Math.min(latencies.length - 1, (int) Math.ceil(p * latencies.length) - 1)] / 1e6;
        }

        static Result merge(Result a, Result b) {
            if (a == null) {
                return b;
            }
            long[] all = Arrays.copyOf(a.latencies, a.latencies.length + b.latencies.length);
            System.arraycopy(b.latencies, 0, all, a.latencies.length, b.latencies.length);
            Arrays.sort(all);
            return new Result(a.label, a.count + b.count, a.nanos + b.nanos, a.cpuNanos + b.cpuNanos, all,
                    a.errors + b.errors);
        }

        String line() {
            return String.format("%-13s %,9.0f pushes/s   p50 %6.2f ms   p99 %6.2f ms   CPU %5.1f µs/push"
                            + "   (%,d pushes in %.2f s, %d not accepted)",
                    label, perSecond(), percentileMillis(0.50), percentileMillis(0.99), cpuMicrosPerPush(), count,
                    nanos / 1e9, errors);
        }

        /** CPU time of the whole process (client, mock server, timers) per push. */
        double cpuMicrosPerPush() {
            return cpuNanos / 1e3 / count;
        }
    }

    private ApnsThroughputBenchmark() {
    }

    /** Pushes per second and pushes not accepted, through the gateway and through pushy alone. */
    public record Summary(double gatewayPerSecond, int gatewayErrors, double pushyPerSecond, int pushyErrors) {
        public double ratio() {
            return gatewayPerSecond / pushyPerSecond;
        }
    }

    /** {@code [N=200000] [warm-up=50000]}. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 200_000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : DEFAULT_WARM_UP;
        run(n, warmUp);
    }

    @SuppressWarnings("deprecation")
    public static Summary run(int n, int warmUp) throws Exception {
        // The server logs at INFO: per-push DEBUG lines must cost what they cost there (nothing).
        org.apache.log4j.Logger.getRootLogger().setLevel(org.apache.log4j.Level.INFO);

        EventLoopGroup serverGroup = new NioEventLoopGroup(1);
        EventLoopGroup rawGroup = new NioEventLoopGroup(1);
        MockApnsServer server = new MockApnsServerBuilder()
                .setServerCredentials(MockApns.fixture("server.pem").toFile(), MockApns.fixture("server.key").toFile(), null)
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory())
                .setEventLoopGroup(serverGroup)
                .build();
        int port = server.start(0).get(10, TimeUnit.SECONDS);

        ApnsGateway gateway = ApnsGateway.builder()
                .app(MockApns.APP, MockApns.signingKey())
                .productionHost("127.0.0.1:" + port)
                .trustedServerCertificate(MockApns.fixture("ca.pem"))
                .ioThreads(1)
                .build();
        ApnsClient raw = new ApnsClientBuilder()
                .setApnsServer("127.0.0.1", port)
                .setTrustedServerCertificateChain(MockApns.fixture("ca.pem").toFile())
                .setSigningKey(ApnsSigningKey.loadFromPkcs8File(MockApns.fixture("signing-key.p8").toFile(),
                        MockApns.TEAM_ID, MockApns.KEY_ID))
                .setEventLoopGroup(rawGroup)
                .build();

        PushSettings[] targets = new PushSettings[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            byte[] token = new byte[32];
            ThreadLocalRandom.current().nextBytes(token);
            String hex = HexFormat.of().formatHex(token);
            targets[i] = new PushSettings(PushProvider.APNS, hex, hex, MockApns.APP, null, true, false);
        }
        Instant expiresAt = Instant.now().plus(java.time.Duration.ofHours(1));
        String payload = message(targets[0], 0, expiresAt).payloadJson();

        IntFunction<CompletableFuture<Boolean>> viaGateway = i -> gateway.send(message(targets[i % TOKENS], i, expiresAt))
                .thenApply(outcome -> outcome instanceof PushOutcome.Accepted);
        IntFunction<CompletableFuture<Boolean>> viaPushy = i -> raw.sendNotification(new SimpleApnsPushNotification(
                        targets[i % TOKENS].callToken(), MockApns.APP + ".voip", payload, expiresAt,
                        DeliveryPriority.IMMEDIATE, PushType.VOIP, "call-" + i + "@bench.example", null))
                .thenApply(response -> response.isAccepted());

        System.out.printf("APNs throughput: %,d VoIP pushes each way (%d interleaved blocks each), up to %,d in flight,"
                + " after %,d warm-up pushes each;%nmock APNs (accept-all, 1 event loop thread) on 127.0.0.1:%d"
                + " on the same %d cores; one TLS connection each%n",
                n, BLOCKS, IN_FLIGHT, warmUp, port, Runtime.getRuntime().availableProcessors());
        run("warm-up gw", warmUp, viaGateway);
        run("warm-up pushy", warmUp, viaPushy);
        // Measured in blocks, ApnsGateway-pushy-pushy-ApnsGateway-…, so that drift (JIT, other load on the
        // machine) weighs on both alike.
        Result gatewayResult = null;
        Result pushyResult = null;
        for (int b = 0; b < BLOCKS; b++) {
            int size = n / BLOCKS + (b < n % BLOCKS ? 1 : 0);
            boolean gatewayFirst = b % 2 == 0;
            for (int leg = 0; leg < 2; leg++) {
                if ((leg == 0) == gatewayFirst) {
                    gatewayResult = Result.merge(gatewayResult, run("ApnsGateway", size, viaGateway));
                } else {
                    pushyResult = Result.merge(pushyResult, run("pushy alone", size, viaPushy));
                }
            }
        }
        System.out.println(gatewayResult.line());
        System.out.println(pushyResult.line());
        System.out.printf("ratio ApnsGateway / pushy alone: %.2f (throughput), %.2f (p50 latency), %.2f (p99 latency),"
                        + " %.2f (CPU per push)%n",
                gatewayResult.perSecond() / pushyResult.perSecond(),
                gatewayResult.percentileMillis(0.5) / pushyResult.percentileMillis(0.5),
                gatewayResult.percentileMillis(0.99) / pushyResult.percentileMillis(0.99),
                gatewayResult.cpuMicrosPerPush() / pushyResult.cpuMicrosPerPush());

        gateway.close();
        raw.close().get(10, TimeUnit.SECONDS);
        server.shutdown().get(10, TimeUnit.SECONDS);
        rawGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        return new Summary(gatewayResult.perSecond(), gatewayResult.errors(), pushyResult.perSecond(),
                pushyResult.errors());
    }

    private static PushMessage message(PushSettings target, int i, Instant expiresAt) {
        return new PushMessage("bench-" + i, PushMessage.Kind.CALL, target, "call-" + i + "@bench.example", "Alice",
                "sip:alice@example.test", "sip:bob@example.test", Instant.now(), expiresAt);
    }

    private static Result run(String label, int count, IntFunction<CompletableFuture<Boolean>> send)
            throws InterruptedException {
        Semaphore permits = new Semaphore(IN_FLIGHT);
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger errors = new AtomicInteger();
        long[] latencies = new long[count];
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            int index = i;
            long sent = System.nanoTime();
            send.apply(i).whenComplete((accepted, error) -> {
                latencies[index] = System.nanoTime() - sent;
                if (error != null || !accepted) {
                    errors.incrementAndGet();
                }
                permits.release();
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(label + ": pushes still unanswered after 10 minutes");
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = processCpuNanos() - cpuStart;
        Arrays.sort(latencies);
        return new Result(label, count, nanos, cpuNanos, latencies, errors.get());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
