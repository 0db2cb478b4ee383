package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.MessageRows;
import org.sippush.testsupport.SipMessages;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * A server stopped (SIGTERM, as {@code systemctl stop} does) while it holds calls for sleeping
 * phones and phones keep registering: every caller gets its final answer (503 with Retry-After,
 * its proxy may try another node) before the process ends, and every REGISTER it acknowledged
 * with a 200 is in the database afterwards; no REGISTER is answered 500 because the database
 * closed under it.
 */
class GracefulStopIT {

    static final int CALLS = 10;
    static final int REGISTERING_PHONES = 3;
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<SipPhone> phones = new ArrayList<>();

    @AfterEach
    void closePhones() {
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    static String newAor() {
        return "sip:stop" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    }

    /** The URL of a new H2 file database under the build's work folder (an earlier run's file deleted). */
    static String newH2File(String name) throws IOException {
        Path work = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath());
        for (String suffix : List.of(".mv.db", ".trace.db")) {
            Files.deleteIfExists(work.resolve(name + suffix));
        }
        return "jdbc:h2:file:" + work.resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    static String token() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    @Test
    void everyHeldCallIsAnsweredAndEveryAcknowledgedRegisterIsKept() throws IOException, InterruptedException {
        String url = newH2File("graceful");
        try (StandaloneServer server = StandaloneServer.copyOf("graceful").database(url, "sa", "")
                .setting("SIPPUSH_PUSH_WAIT", "120").setting("SIPPUSH_SHUTDOWN_DRAIN_SECONDS", "15")) {
            server.start();
            List<SipPhone.Sent> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                String callee = newAor();
                SipPhone asleep = phone("asleep-" + i);
                assertEquals(200, asleep.register(callee, server.sipPort(), "udp")
                        .contactHere(";pn-provider=apns;pn-prid=" + token() + ";pn-param=ABCDE12345.com.example.phone.voip", "")
                        .expires(600).send().getStatusCode());
                asleep.close();  // its app was killed: nothing answers at its contact
                calls.add(phone("caller-" + i).invite("sip:alice@example.test", callee, server.sipPort(), "udp"));
            }
            Awaits.until(() -> server.linesContaining("Holding call").size(), n -> n >= CALLS, WAIT);

            // phones keep registering while the server stops
            Map<String, Response> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> registering = new ArrayList<>();
            for (int i = 0; i < REGISTERING_PHONES; i++) {
                SipPhone phone = phone("registering-" + i);
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        String aor = newAor();
                        SipPhone.Sent sent = phone.sendAsync(phone.parse(phone.register(aor, server.sipPort(), "udp")
                                .contactHere("", "").expires(600).text()));
                        try {
                            acknowledged.put(aor, sent.join(Duration.ofSeconds(2)));
                        } catch (AssertionError noAnswer) {
                            return;  // the server is gone
                        }
                    }
                });
                thread.start();
                registering.add(thread);
            }
            Awaits.until(acknowledged::size, n -> n >= 10, WAIT);

            int exit = server.stop();
            running.set(false);
            for (Thread thread : registering) {
                thread.join(WAIT.toMillis());
            }

            assertEquals(StandaloneServer.EXIT_ON_SIGTERM, exit, server.tail());
            assertFalse(server.linesContaining("Stopping: " + CALLS + " held call(s) answered 503").isEmpty(),
                    "the drain is logged" + server.tail());
            for (SipPhone.Sent call : calls) {
                assertTrue(call.isDone(), "every caller has its final answer when the process has ended");
                Response answer = call.join(Duration.ZERO.plusMillis(1));
                assertEquals(503, answer.getStatusCode(), answer.toString());
                assertTrue(answer.getHeader(RetryAfterHeader.NAME) != null, "Retry-After: " + answer);
            }
            BindingRows rows = new BindingRows(url, "sa", "");
            int kept = 0;
            for (Map.Entry<String, Response> register : acknowledged.entrySet()) {
                int status = register.getValue().getStatusCode();
                assertTrue(status == 200 || status == 503, register.getKey() + " answered " + register.getValue());
                if (status == 200) {
                    assertEquals(1, rows.of(register.getKey()).size(), register.getKey() + " was acknowledged: it is kept");
                    kept++;
                } else {
                    assertTrue(register.getValue().getHeader(RetryAfterHeader.NAME) != null, register.getValue().toString());
                }
            }
            assertTrue(kept >= 10, kept + " REGISTERs acknowledged and kept");
        }
    }

    /**
     * A phone woken by a message push takes its stored MESSAGE and answers 200 just after SIGTERM:
     * the server waits for that answer before its database closes, so the message is deleted and
     * not sent again after the restart (without the wait, the 200 was dropped and the message kept).
     */
    @Test
    void aStoredMessageAnsweredWhileTheServerStopsIsDeleted() throws Exception {
        String url = newH2File("graceful-message");
        try (StandaloneServer server = StandaloneServer.copyOf("graceful-message").database(url, "sa", "")
                .setting("SIPPUSH_SHUTDOWN_DRAIN_SECONDS", "15")) {
            server.start();
            String user = newAor();
            SipMessages.storeForSleepingPhone(phone("asleep"), phone("sender"), server.sipPort(), user,
                    StandaloneServerIT.SLEEPER_X_PUSH, "hello");

            SipPhone woken = phone("woken");
            assertEquals(200, woken.register(user, server.sipPort(), "udp").contactHere("", "")
                    .header("X-Push", StandaloneServerIT.SLEEPER_X_PUSH).expires(600).send().getStatusCode());
            javax.sip.RequestEvent delivered = woken.awaitRequest("MESSAGE", WAIT);
            assertEquals("hello", new String(delivered.getRequest().getRawContent(), StandardCharsets.UTF_8));

            CompletableFuture<Integer> stopped = CompletableFuture.supplyAsync(server::stop);
            Awaits.until(() -> server.linesContaining("Stopping: new requests get 503").size(), n -> n >= 1, WAIT);
            woken.respond(delivered, 200);  // the phone answers while the server drains

            assertEquals(StandaloneServer.EXIT_ON_SIGTERM, stopped.get(WAIT.toSeconds() * 2, java.util.concurrent.TimeUnit.SECONDS),
                    server.tail());
            assertTrue(server.linesContaining("stored message(s) sent and not answered").isEmpty(),
                    "the drain had every answer" + server.tail());
            assertEquals(0, new MessageRows(url, "sa", "").messages(user), "answered 200, so deleted" + server.tail());
        }
    }
}
