package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import javax.sip.RequestEvent;

import org.junit.jupiter.api.Test;
import org.sippush.testsupport.MessageRows;
import org.sippush.testsupport.SipMessages;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * A message stored for a sleeping phone survives a restart of the server (issue 10): the packaged
 * server runs as users run it, on an H2 file database; it is stopped with SIGTERM between the 202 and
 * the phone's next REGISTER, and started again from the same database.
 */
class MessageRestartIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String X_PUSH = "device-os=ios;device-uid=%s|%s;allow-call-push=true;allow-message-push=true;"
            + "app-id=com.example.phone";

    @Test
    void aStoredMessageIsDeliveredAfterTheServerRestarted() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath());
        String url = "jdbc:h2:file:" + work.resolve("messages-restart-" + UUID.randomUUID()) + ";AUTO_SERVER=TRUE";
        MessageRows rows = new MessageRows(url, "sa", "");
        String bob = "sip:bob" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String xPush = String.format(X_PUSH, "ab".repeat(32), "cd".repeat(32));
        try (StandaloneServer server = StandaloneServer.copyOf("messages").database(url, "sa", "");
             SipPhone sender = SipPhone.start("alice");
             SipPhone woken = SipPhone.start("woken")) {
            server.start();
            try (SipPhone asleep = SipPhone.start("asleep")) {
                assertEquals(200, asleep.register(bob, server.sipPort(), "udp").contactHere("", "")
                        .header("X-Push", xPush).expires(600).send().getStatusCode());
            }
            assertEquals(202, sender.send(SipMessages.message(sender, server.sipPort(), bob, "text/plain",
                    "sent before the restart")).getStatusCode());

            assertEquals(StandaloneServer.EXIT_ON_SIGTERM, server.stop(), server.tail());
            assertEquals(1, rows.messages(bob), "the database holds it while the server is down");
            server.start();

            assertEquals(200, woken.register(bob, server.sipPort(), "udp").contactHere("", "").header("X-Push", xPush)
                    .expires(600).send().getStatusCode());
            RequestEvent delivered = woken.awaitRequest("MESSAGE", WAIT);
            assertEquals("sent before the restart",
                    new String(delivered.getRequest().getRawContent(), StandardCharsets.UTF_8));
            assertTrue(delivered.getRequest().getHeader("From").toString().contains("sip:alice@example.test"));
            woken.respond(delivered, 200);
            Awaits.until(() -> rows.messages(bob), n -> n == 0, WAIT);
        }
    }
}
