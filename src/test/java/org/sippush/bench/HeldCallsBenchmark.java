package org.sippush.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sip.message.Response;

import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * Held calls against the standalone server: N sleeping phones (push bindings, apps killed), one call
 * held for each at once; prints the live heap after a full GC before, while all are held, and after
 * all were answered 480 and released, and the heap each held call costs.
 * <p>
 * {@code HeldCallsBenchmark [calls=10000]}. Pushes are only logged (the default provider).
 */
public final class HeldCallsBenchmark {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /**
     * What a run measured.
     *
     * @param heldAtOnce     calls the server held at the same time
     * @param answered480    calls answered 480 once their push wait ended
     * @param unanswered     calls without a final response
     * @param heldLeft       held calls the server still counted afterwards
     * @param bytesPerHeld   live heap per held call (after full GCs)
     * @param bytesLeft      live heap left after all were released, over the heap before
     */
    public record Result(int calls, long heldAtOnce, int answered480, int unanswered, long heldLeft,
                         double bytesPerHeld, long bytesLeft) {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        run(calls, Math.max(60, calls / 100 + 30), true);
    }

    /**
     * {@code pushWait}: seconds each call is held; every call must have arrived within it.
     * {@code settle}: whether to wait for the REGISTER transactions to go (the container keeps each
     * 32 s, Timer J) before the heap baseline; false for a smoke run whose heap figure means nothing.
     */
    public static Result run(int calls, int pushWait, boolean settle) throws Exception {
        System.out.printf("held-calls benchmark: %d calls held at once (push wait %d s)%n", calls, pushWait);
        int dead = FreePorts.tcp();
        try (StandaloneServer server = StandaloneServer.copyOf("held");
             SipPhone sleepers = SipPhone.start("sleepers");
             SipPhone caller = SipPhone.start("caller")) {
            server.setting("SIPPUSH_PUSH_WAIT", Integer.toString(pushWait))
                    .setting("SIPPUSH_PUSH_QUEUE", Integer.toString(calls * 2))
                    .jvmOptions("-Xms2g", "-Xmx2g", "-XX:+UseG1GC")
                    .start();
            for (int i = 0; i < calls; i++) {
                Response ok = sleepers.register("sip:held" + i + "@example.test", server.sipPort(), "udp")
                        .contact("<sip:held" + i + "@127.0.0.1:" + dead
                                + ";transport=tcp;pn-provider=fcm;pn-prid=held-token-" + i + ";pn-param=held-project>")
                        .expires(3600).send();
                if (ok.getStatusCode() != 200) {
                    throw new IllegalStateException("REGISTER held" + i + ": " + ok.getStatusCode());
                }
            }
            if (settle) {
                awaitServerTransactionsGone(server.pid(), java.time.Duration.ofSeconds(60));
            }
            long before = heapAfterFullGc(server.pid());
            java.util.Map<String, long[]> histogramBefore = histogram(server.pid());
            long sessionsBefore = status(server, "applicationSessions");

            long start = System.nanoTime();
            List<SipPhone.Sent> sent = new ArrayList<>(calls);
            for (int i = 0; i < calls; i++) {
                sent.add(caller.invite("sip:alice@example.test", "sip:held" + i + "@example.test", server.sipPort(), "udp"));
                if (i % 500 == 499) {
                    // self-paced: the next burst only when this one is held (a fixed 200/s overloaded the
                    // server: every call first fails a TCP connection to the killed app's old contact)
                    waitUntilHeld(server, i + 1, sent);
                }
            }
            waitUntilHeld(server, calls, sent);
            double seconds = (System.nanoTime() - start) / 1e9;
            long heldNow = status(server, "heldCalls");
            long held = heapAfterFullGc(server.pid());
            java.util.Map<String, long[]> histogramHeld = histogram(server.pid());
            System.out.printf("held %d calls at once after %.1f s (%.0f calls/s)%n", heldNow, seconds, calls / seconds);

            int answered480 = 0;
            int unanswered = 0;
            java.util.Map<Integer, Integer> otherAnswers = new java.util.TreeMap<>();
            for (SipPhone.Sent call : sent) {
                try {
                    int status = call.join(Duration.ofSeconds(pushWait + 120)).getStatusCode();
                    if (status == 480) {
                        answered480++;
                    } else {
                        otherAnswers.merge(status, 1, Integer::sum);
                    }
                } catch (AssertionError noFinalResponse) {
                    unanswered++;
                }
            }
            System.out.printf("calls without a final response: %d; answered other than 480: %s%n", unanswered,
                    otherAnswers);
            long heldAfter = status(server, "heldCalls");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (status(server, "applicationSessions") > sessionsBefore && System.nanoTime() < deadline) {
                Thread.sleep(500);  // a benchmark, not a test: the container releases sessions on its own timers
            }
            long after = heapAfterFullGc(server.pid());
            System.out.println();
            System.out.printf("calls answered 480 after the push wait: %d of %d%n", answered480, calls);
            System.out.printf("held calls left: %d; SipApplicationSessions: %d before, %d after%n", heldAfter,
                    sessionsBefore, status(server, "applicationSessions"));
            System.out.printf("live heap after full GC: %.1f MB before, %.1f MB with %d held, %.1f MB after release%n",
                    before / 1e6, held / 1e6, heldNow, after / 1e6);
            System.out.printf("heap per held call: %.0f bytes (%.1f KB); left after release: %.1f MB%n",
                    (held - before) / (double) heldNow, (held - before) / 1024.0 / heldNow, (after - before) / 1e6);
            printGrowth(histogramBefore, histogramHeld, heldNow);
            return new Result(calls, heldNow, answered480, unanswered, heldAfter, (held - before) / (double) heldNow,
                    after - before);
        }
    }

    /** Until n calls were held, or every call not held has its final answer already, or 60 s passed. */
    private static void waitUntilHeld(StandaloneServer server, long n, List<SipPhone.Sent> sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long held;
        while ((held = status(server, "heldCallsTotal")) < n) {
            long ended = sent.stream().filter(c -> c.isDone()).count();
            if (held + ended >= n) {
                System.out.printf("%d calls ended (answered or timed out) before they could be held%n", ended);
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("only %d of %d calls held after 60 s (%d ended)%n", held, n, ended);
                return;
            }
            Thread.sleep(50);
        }
    }

    /** Class name to {instances, bytes} of the live heap ({@code jcmd GC.class_histogram}: a full GC first). */
    /**
     * The container keeps each REGISTER's server transaction 32 s (Timer J): waits until the heap
     * holds none (each look is a class histogram, which collects first), or the timeout.
     */
    private static void awaitServerTransactionsGone(long pid, java.time.Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] left = histogram(pid).get(SERVER_TRANSACTION);
        while (left != null && left[0] > 0 && System.nanoTime() < deadline) {
            left = histogram(pid).get(SERVER_TRANSACTION);
        }
        if (left != null && left[0] > 0) {
            System.out.printf("%d server transactions still in the heap after %d s: the baseline includes them%n",
                    left[0], timeout.toSeconds());
        }
    }

    private static final String SERVER_TRANSACTION = "gov.nist.javax.sip.stack.SIPServerTransactionImpl";

    static java.util.Map<String, long[]> histogram(long pid) throws IOException, InterruptedException {
        java.util.Map<String, long[]> classes = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)")
                .matcher(run("jcmd", Long.toString(pid), "GC.class_histogram"));
        while (m.find()) {
            classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return classes;
    }

    /** What one held call costs, by class: the 20 classes whose live bytes grew most, per held call. */
    private static void printGrowth(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after, long held) {
        if (held == 0) {
            return;
        }
        System.out.println("heap per held call by class (growth while held / held calls):");
        after.entrySet().stream()
                .map(e -> {
                    long[] b = before.getOrDefault(e.getKey(), new long[2]);
                    return java.util.Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
                })
                .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .limit(20)
                .forEach(e -> System.out.printf("  %7.0f B %6.1f objects  %s%n", e.getValue()[1] / (double) held,
                        e.getValue()[0] / (double) held, e.getKey()));
    }

    /** Live heap in bytes after a full collection, as jcmd reports it. */
    static long heapAfterFullGc(long pid) throws IOException, InterruptedException {
        run("jcmd", Long.toString(pid), "GC.run");
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    static long status(StandaloneServer server, String field) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/sip-push-server/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    private HeldCallsBenchmark() {
    }
}
