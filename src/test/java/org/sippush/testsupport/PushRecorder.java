package org.sippush.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A push provider on loopback: the server's webhook gateway POSTs each push here. Records every
 * push; can hold its answers back (a push still being sent) until released.
 */
public final class PushRecorder implements AutoCloseable {

    private final HttpServer server;
    private final BlockingQueue<String> pushes = new LinkedBlockingQueue<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile int status = 200;
    private final java.util.Map<String, Integer> statusFor = new java.util.concurrent.ConcurrentHashMap<>();

    public PushRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.tcp()), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/push", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            pushes.add(body);
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int answer = status;
            for (var rule : statusFor.entrySet()) {
                if (body.contains(rule.getKey())) {
                    answer = rule.getValue();
                }
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/push";
    }

    /** The next push received, waiting up to {@code timeout}. */
    public String awaitPush(Duration timeout) {
        try {
            String push = pushes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (push == null) {
                throw new AssertionError("No push within " + timeout);
            }
            return push;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next push if one arrives within {@code timeout}, else null (for "no push was sent"). */
    public String pollPush(Duration timeout) {
        try {
            return pushes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public int pending() {
        return pushes.size();
    }

    public void clear() {
        pushes.clear();
    }

    /** From now on, answers wait until {@link #release()}. */
    public void holdAnswers() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    public void answerWith(int httpStatus) {
        status = httpStatus;
        statusFor.clear();
    }

    /** Pushes whose body holds {@code text} (a token) are answered with {@code httpStatus}. */
    public void answerWith(int httpStatus, String text) {
        statusFor.put(text, httpStatus);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
