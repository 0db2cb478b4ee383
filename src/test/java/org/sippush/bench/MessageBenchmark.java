package org.sippush.bench;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.RequestEvent;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;

import com.sun.net.httpserver.HttpServer;

import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.SipMessages;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * Instant messages to sleeping phones against the standalone server, as users run it (issue 10): N
 * phones registered with push (RFC 8599, their apps killed: the old contacts refuse connections);
 * M MESSAGEs each are sent by {@code senders} parallel senders; each is stored, answered 202 and pushed
 * (the server's webhook provider, on loopback, receives the pushes). Then every phone wakes (registers
 * from a new port) and takes its messages, answering 200 to each.
 * <p>
 * Prints messages stored and pushed per second (first MESSAGE sent to the last 202 and the last push
 * received, whichever is later) and messages delivered per second on wake (first woken REGISTER sent to
 * the last stored MESSAGE answered), and checks that every phone got its messages in order, once.
 * <p>
 * {@code MessageBenchmark [phones=200] [messages per phone=5] [senders=32]}. The database is the
 * standalone server's default, an H2 file (SIPPUSH_DB_URL may point it at PostgreSQL).
 */
public final class MessageBenchmark {

    private static final String PN = ";pn-provider=fcm;pn-prid=bench-msg-token-%d;pn-param=bench-project";

    public static void main(String[] args) throws Exception {
        int phones = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int perPhone = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int senders = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        run(phones, perPhone, senders);
        System.exit(0);  // the test phones' JAIN-SIP stacks leave non-daemon threads behind
    }

    public static void run(int phones, int perPhone, int senders) throws Exception {
        int total = phones * perPhone;
        System.out.printf("message benchmark: %d sleeping phones, %d messages each (%d), %d senders%n", phones, perPhone,
                total, senders);
        AtomicInteger pushed = new AtomicInteger();
        CountDownLatch allPushed = new CountDownLatch(total);
        HttpServer pushes = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.tcp()), 0);
        pushes.setExecutor(Executors.newFixedThreadPool(4));
        pushes.createContext("/push", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            if (body.contains("\"type\":\"message\"")) {
                pushed.incrementAndGet();
                allPushed.countDown();
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try (SipPhone sleepers = SipPhone.start("sleepers");
             SipPhone sender = SipPhone.start("sender");
             SipPhone woken = SipPhone.start("woken");
             StandaloneServer server = StandaloneServer.copyOf("messages-bench")) {
            pushes.start();
            server.setting("SIPPUSH_PUSH_PROVIDER", "webhook")
                    .setting("SIPPUSH_PUSH_WEBHOOK_URL", "http://127.0.0.1:" + pushes.getAddress().getPort() + "/push")
                    .setting("SIPPUSH_PUSH_THREADS", "8")
                    .setting("SIPPUSH_LIMITS_PUSHES_PER_DEVICE_PER_MINUTE", "0")
                    .jvmOptions("-Xms1g", "-Xmx1g", "-XX:+UseG1GC")
                    .start();
            System.out.println("server: " + server);
            int dead = FreePorts.tcp();
            for (int i = 0; i < phones; i++) {
                Response ok = sleepers.register(aor(i), server.sipPort(), "udp")
                        .contact("<sip:sleeper" + i + "@127.0.0.1:" + dead + ";transport=tcp" + String.format(PN, i) + ">")
                        .expires(600).send();
                if (ok.getStatusCode() != 200) {
                    throw new IllegalStateException("REGISTER of sleeper" + i + ": " + ok.getStatusCode());
                }
            }

            // store and push
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            long start = System.nanoTime();
            for (int n = 0; n < perPhone; n++) {
                // a phone's messages are numbered in the order they are sent: a round ends before the next begins
                CountDownLatch round = new CountDownLatch(phones);
                for (int i = 0; i < phones; i++) {
                    int phone = i;
                    int number = n;
                    pool.execute(() -> {
                        try {
                            Response r = sender.send(SipMessages.message(sender, server.sipPort(), aor(phone), "text/plain",
                                    Integer.toString(number)));
                            (r.getStatusCode() == 202 ? accepted : refused).incrementAndGet();
                        } catch (RuntimeException | AssertionError e) {
                            refused.incrementAndGet();
                        } finally {
                            round.countDown();
                        }
                    });
                }
                if (!round.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("round " + n + " of MESSAGEs not answered within 120 s");
                }
            }
            long answered = System.nanoTime();
            boolean allPushes = allPushed.await(60, TimeUnit.SECONDS);
            long storedAndPushed = System.nanoTime() - start;
            System.out.printf("stored: %d answered 202, %d not; last 202 after %.2f s; pushes received: %d%s%n",
                    accepted.get(), refused.get(), (answered - start) / 1e9, pushed.get(), allPushes ? "" : " (gave up)");
            System.out.printf("stored and pushed: %.0f messages/s%n", accepted.get() / (storedAndPushed / 1e9));

            // wake and deliver
            Map<Integer, Integer> nextExpected = new ConcurrentHashMap<>();
            AtomicInteger outOfOrder = new AtomicInteger();
            CountDownLatch delivered = new CountDownLatch(accepted.get());
            Thread answering = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    RequestEvent event;
                    try {
                        event = woken.pollRequest(Duration.ofSeconds(1));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (event == null || !event.getRequest().getMethod().equals("MESSAGE")) {
                        continue;
                    }
                    woken.respond(event, 200);
                    String to = ((ToHeader) event.getRequest().getHeader(ToHeader.NAME)).getAddress().getURI().toString();
                    int phone = Integer.parseInt(to.substring(to.indexOf("sleeper") + 7, to.indexOf('@')));
                    int number = Integer.parseInt(new String(event.getRequest().getRawContent(), StandardCharsets.UTF_8));
                    if (nextExpected.getOrDefault(phone, 0) != number) {
                        outOfOrder.incrementAndGet();
                    }
                    nextExpected.put(phone, number + 1);
                    delivered.countDown();
                }
            }, "woken-phone");
            answering.setDaemon(true);
            answering.start();
            long wake = System.nanoTime();
            CountDownLatch registered = new CountDownLatch(phones);
            for (int i = 0; i < phones; i++) {
                int phone = i;
                pool.execute(() -> {
                    try {
                        woken.register(aor(phone), server.sipPort(), "udp")
                                .contact("<sip:sleeper" + phone + "@127.0.0.1:" + woken.port() + String.format(PN, phone) + ">")
                                .expires(600).send();
                    } finally {
                        registered.countDown();
                    }
                });
            }
            boolean all = delivered.await(180, TimeUnit.SECONDS);
            long deliveredNanos = System.nanoTime() - wake;
            answering.interrupt();
            long took = accepted.get() - delivered.getCount();
            System.out.printf("delivered on wake: %d of %d, %d out of order%s, in %.2f s%n", took, accepted.get(),
                    outOfOrder.get(), all ? "" : " (gave up)", deliveredNanos / 1e9);
            System.out.printf("delivered on wake: %.0f messages/s%n", took / (deliveredNanos / 1e9));
        } finally {
            pool.shutdownNow();
            pushes.stop(0);
            ((ExecutorService) pushes.getExecutor()).shutdownNow();
        }
    }

    private static String aor(int i) {
        return "sip:sleeper" + i + "@example.test";
    }
}
