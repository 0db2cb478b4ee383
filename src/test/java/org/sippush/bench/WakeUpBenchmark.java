package org.sippush.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sip.RequestEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;

import com.sun.net.httpserver.HttpServer;

import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * Wake-ups against the standalone server, as users run it: N phones registered with push, their
 * apps killed (the old contacts refuse connections); calls arrive at a fixed rate; a helper
 * receives each push (the server's webhook provider, on loopback) and re-registers the phone from a
 * new port, which answers the INVITE at once; the caller ACKs and hangs up.
 * <p>
 * Prints, as percentiles: the time from the woken REGISTER reaching the application to the held
 * INVITE leaving it (measured inside the server, {@code /status}), the same seen from the phone
 * (REGISTER sent to INVITE received), and INVITE to 200 at the caller.
 * <p>
 * {@code WakeUpBenchmark [calls=1000] [rate=100] [warm-up calls=0]} (calls per second). The
 * warm-up calls go first, at the same rate, to phones of their own, and are left out of every
 * figure (a cold JVM compiles for its first minutes). Bounded: it gives up after
 * (warm-up + calls)/rate + 120 seconds.
 */
public final class WakeUpBenchmark {

    private static final String PN = ";pn-provider=fcm;pn-prid=bench-token-%d;pn-param=bench-project";
    private static final Pattern TO = Pattern.compile("\"to-uri\":\"sip:sleeper(\\d+)@example.test\"");

    /**
     * What a run measured.
     *
     * @param completed      calls answered 200 (then ACKed and BYEd)
     * @param failed         calls answered otherwise or not at all within 40 s
     * @param wakeSamples    woken REGISTERs the server timed (REGISTER in -> held INVITE out)
     * @param wakeP99Micros  the server's p99 of that time
     */
    public record Result(int calls, int completed, int failed, boolean finished, long wakeSamples, long wakeP99Micros) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        run(calls, rate, warmUp);
        System.exit(0);  // the test phones' SIP stacks leave non-daemon threads behind
    }

    public static Result run(int measured, int rate, int warmUp) throws Exception {
        System.out.printf("wake-up benchmark: %d calls at %d/s after %d warm-up calls%n", measured, rate, warmUp);
        int calls = warmUp + measured;

        long[] registerSentNanos = new long[calls];
        long[] inviteAtPhoneNanos = new long[calls];
        long[] inviteSentNanos = new long[calls];
        long[] okAtCallerNanos = new long[calls];
        Map<String, Integer> callIndex = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService wakers = Executors.newFixedThreadPool(4);

        HttpServer pushes = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.tcp()), 0);
        ExecutorService pushHandlers = Executors.newFixedThreadPool(4);
        pushes.setExecutor(pushHandlers);
        try (SipPhone sleepers = SipPhone.start("sleepers");
             SipPhone woken = SipPhone.start("woken");
             SipPhone caller = SipPhone.start("caller");
             StandaloneServer server = StandaloneServer.copyOf("wakeup")) {
            pushes.createContext("/push", exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                Matcher m = TO.matcher(body);
                if (m.find()) {
                    int i = Integer.parseInt(m.group(1));
                    wakers.execute(() -> {
                        registerSentNanos[i] = System.nanoTime();
                        SipPhone.Registration r = woken.register("sip:sleeper" + i + "@example.test", server.sipPort(), "udp")
                                .contact("<sip:sleeper" + i + "@127.0.0.1:" + woken.port() + String.format(PN, i) + ">")
                                .expires(600);
                        r.send();
                    });
                }
            });
            pushes.start();
            server.setting("SIPPUSH_PUSH_PROVIDER", "webhook")
                    .setting("SIPPUSH_PUSH_WEBHOOK_URL", "http://127.0.0.1:" + pushes.getAddress().getPort() + "/push")
                    .setting("SIPPUSH_PUSH_WAIT", "30")
                    .setting("SIPPUSH_PUSH_THREADS", "8")
                    .jvmOptions(serverJvmOptions())
                    .start();

            int dead = FreePorts.tcp();
            for (int i = 0; i < calls; i++) {
                Response ok = sleepers.register("sip:sleeper" + i + "@example.test", server.sipPort(), "udp")
                        .contact("<sip:sleeper" + i + "@127.0.0.1:" + dead + ";transport=tcp" + String.format(PN, i) + ">")
                        .expires(600).send();
                if (ok.getStatusCode() != 200) {
                    throw new IllegalStateException("REGISTER of sleeper" + i + ": " + ok.getStatusCode());
                }
            }

            Thread answering = new Thread(() -> answer(woken, callIndex, inviteAtPhoneNanos), "woken-phone");
            answering.setDaemon(true);
            answering.start();

            long wakeSince = 0;
            boolean finished = true;
            int failedBefore = 0;
            if (warmUp > 0) {
                CountDownLatch warmed = new CountDownLatch(warmUp);
                finished = callAtRate(0, warmUp, rate, warmed, caller, server, callIndex, inviteSentNanos, okAtCallerNanos,
                        failures);
                failedBefore = failures.get();
                wakeSince = number(status(server.httpPort()), "wakeDeliveryMicros", "count");
                System.out.printf("warm-up: %d calls, %d failed%s%n", warmUp, failedBefore, finished ? "" : " (gave up)");
            }
            CountDownLatch done = new CountDownLatch(measured);
            finished &= callAtRate(warmUp, calls, rate, done, caller, server, callIndex, inviteSentNanos, okAtCallerNanos,
                    failures);
            String status = status(server.httpPort(), wakeSince);
            int failed = failures.get() - failedBefore;
            int completed = measured - failed - (int) done.getCount();
            System.out.println();
            System.out.printf("calls: %d, completed with 200: %d, failed: %d%s%n", measured, completed, failed,
                    finished ? "" : " (gave up waiting)");
            // the percentiles are over the wake-ups after the warm-up (?wakeSince); "count" in the status is the total
            System.out.printf("server, woken REGISTER in -> held INVITE out (us), after the warm-up: n=%d p50=%d p99=%d"
                            + " p99.9=%d max=%d%n", number(status, "wakeDeliveryMicros", "count") - wakeSince,
                    number(status, "wakeDeliveryMicros", "p50"), number(status, "wakeDeliveryMicros", "p99"),
                    number(status, "wakeDeliveryMicros", "p999"), number(status, "wakeDeliveryMicros", "max"));
            print("phone,  REGISTER sent -> INVITE received (ms)", warmUp, registerSentNanos, inviteAtPhoneNanos);
            print("caller, INVITE sent -> 200 received (ms)", warmUp, inviteSentNanos, okAtCallerNanos);
            System.out.println("server status: " + status);
            long wakeCount = number(status, "wakeDeliveryMicros", "count") - wakeSince;
            return new Result(measured, completed, failed, finished, wakeCount, number(status, "wakeDeliveryMicros", "p99"));
        } finally {
            pushes.stop(0);
            pushHandlers.shutdownNow();  // its threads would keep the JVM alive after the results
            wakers.shutdownNow();
        }
    }

    /**
     * The server's JVM options: a 1 GB G1 heap, and whatever {@code BENCH_SERVER_JAVA_OPTS} adds
     * (for example {@code -XX:StartFlightRecording=filename=wake.jfr,settings=profile} to profile a run).
     */
    private static String[] serverJvmOptions() {
        java.util.List<String> options = new java.util.ArrayList<>(java.util.List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC"));
        String more = System.getenv("BENCH_SERVER_JAVA_OPTS");
        if (more != null && !more.isBlank()) {
            options.addAll(java.util.Arrays.asList(more.trim().split("\\s+")));
        }
        return options.toArray(String[]::new);
    }

    /** Calls sleepers {@code from} (inclusive) to {@code to} at {@code rate}/s; waits until all ended. */
    private static boolean callAtRate(int from, int to, int rate, CountDownLatch done, SipPhone caller,
                                      StandaloneServer server, Map<String, Integer> callIndex, long[] inviteSentNanos,
                                      long[] okAtCallerNanos, AtomicInteger failures) throws InterruptedException {
        ExecutorService callers = Executors.newFixedThreadPool(64);  // a call blocks its thread until BYE: 8 threads capped the rate
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger next = new AtomicInteger(from);
            pace.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i >= to) {
                    return;
                }
                callers.execute(() -> {
                    inviteSentNanos[i] = System.nanoTime();
                    SipPhone.Sent invite = caller.invite("sip:alice@example.test", "sip:sleeper" + i + "@example.test",
                            server.sipPort(), "udp");
                    callIndex.put(((CallIdHeader) invite.transaction().getRequest().getHeader(CallIdHeader.NAME)).getCallId(), i);
                    try {
                        Response ok = invite.join(Duration.ofSeconds(40));
                        okAtCallerNanos[i] = System.nanoTime();
                        if (ok.getStatusCode() != 200) {
                            failures.incrementAndGet();
                        } else {
                            caller.ack(ok);
                            caller.bye(ok).join(Duration.ofSeconds(10));
                        }
                    } catch (AssertionError | RuntimeException e) {
                        failures.incrementAndGet();
                    } finally {
                        done.countDown();
                    }
                });
            }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
            return done.await((to - from) / rate + 120L, TimeUnit.SECONDS);
        } finally {
            pace.shutdownNow();
            callers.shutdownNow();
        }
    }

    /** The woken phone: answers every INVITE at once, and BYEs. */
    private static void answer(SipPhone phone, Map<String, Integer> callIndex, long[] inviteAt) {
        while (!Thread.currentThread().isInterrupted()) {
            RequestEvent event;
            try {
                event = phone.pollRequest(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            }
            if (event == null) {
                continue;
            }
            String method = event.getRequest().getMethod();
            if (method.equals("INVITE")) {
                Integer i = callIndex.get(((CallIdHeader) event.getRequest().getHeader(CallIdHeader.NAME)).getCallId());
                if (i != null && inviteAt[i] == 0) {
                    inviteAt[i] = System.nanoTime();
                }
                String user = ((ToHeader) event.getRequest().getHeader(ToHeader.NAME)).getAddress().getURI().toString();
                respond(phone, event, 200, "Contact: <" + user.replace("example.test", "127.0.0.1:" + phone.port()) + ">");
            } else if (method.equals("BYE") || method.equals("CANCEL")) {
                respond(phone, event, 200);
            }
        }
    }

    /** A retransmitted request (its transaction exists already: the first copy is answered) is skipped. */
    private static void respond(SipPhone phone, RequestEvent event, int status, String... headers) {
        try {
            phone.respond(event, status, headers);
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof javax.sip.TransactionAlreadyExistsException)) {
                throw e;
            }
        }
    }

    private static void print(String what, int first, long[] from, long[] to) {
        double[] ms = new double[from.length];
        int n = 0;
        for (int i = first; i < from.length; i++) {
            if (from[i] > 0 && to[i] > from[i]) {
                ms[n++] = (to[i] - from[i]) / 1e6;
            }
        }
        double[] sorted = Arrays.copyOf(ms, n);
        Arrays.sort(sorted);
        if (n == 0) {
            System.out.println(what + ": no samples");
            return;
        }
        System.out.printf("%s: n=%d p50=%.2f p99=%.2f p99.9=%.2f max=%.2f%n", what, n, at(sorted, 0.5), at(sorted, 0.99),
                at(sorted, 0.999), sorted[n - 1]);
    }

    private static double at(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String status(int httpPort) throws IOException, InterruptedException {
        return status(httpPort, 0);
    }

    private static String status(int httpPort, long wakeSince) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/sip-push-server/status?wakeSince=" + wakeSince)).build(),
                HttpResponse.BodyHandlers.ofString()).body().trim();
    }

    private static long number(String json, String object, String name) {
        Matcher m = Pattern.compile("\"" + object + "\":\\{[^}]*\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private WakeUpBenchmark() {
    }
}
