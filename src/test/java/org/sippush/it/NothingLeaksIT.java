package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.DigestAnswer;
import org.sippush.testsupport.PushRecorder;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * The standalone server as users run it, with authentication on: subscribers provisioned through
 * the HTTP API, phones registering with RFC 8599 and X-Push tokens, a challenged caller, a push,
 * a wake-up and a completed call. Then every log the server wrote is searched for the tokens,
 * the passwords and their HA1 hashes: none may appear.
 */
class NothingLeaksIT {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String DOMAIN = "example.test";
    static final String APNS_TOKEN = "7e1eaf" + UUID.randomUUID().toString().replace("-", "") + "c0ffee";
    static final String FCM_TOKEN = "fcmtok" + UUID.randomUUID().toString().replace("-", "") + ":APA91b";

    final List<SipPhone> phones = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void closePhones() {
        phones.forEach(SipPhone::close);
    }

    SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    void provision(StandaloneServer server, String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                        + "/sip-push-server/api/subscribers/" + user + "@" + DOMAIN))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:change-me".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\": \"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
    }

    @Test
    void noTokenPasswordOrHashInAnyLogOfAWholeCallFlow() throws Exception {
        String callee = "bob" + UUID.randomUUID().toString().substring(0, 6);
        String caller = "alice" + UUID.randomUUID().toString().substring(0, 6);
        String droid = "carol" + UUID.randomUUID().toString().substring(0, 6);
        String calleePassword = "pw-" + UUID.randomUUID();
        String callerPassword = "pw-" + UUID.randomUUID();
        String droidPassword = "pw-" + UUID.randomUUID();
        String pn = ";pn-provider=apns;pn-prid=" + APNS_TOKEN + ";pn-param=ABCDE12345.com.example.phone.voip";
        String xPush = "device-os=android;device-uid=" + FCM_TOKEN + ";allow-call-push=true;allow-message-push=true;app-id=com.example.droid";
        try (PushRecorder pushes = new PushRecorder();
             StandaloneServer server = StandaloneServer.copyOf("nothing-leaks")) {
            server.setting("SIPPUSH_AUTH_ENABLED", "true")
                    .setting("SIPPUSH_PUSH_PROVIDER", "webhook")
                    .setting("SIPPUSH_PUSH_WEBHOOK_URL", pushes.url())
                    .setting("SIPPUSH_PUSH_WAIT", "15")
                    .start();
            provision(server, callee, calleePassword);
            provision(server, caller, callerPassword);
            provision(server, droid, droidPassword);
            String calleeAor = "sip:" + callee + "@" + DOMAIN;

            SipPhone asleep = SipPhone.start("asleep");
            assertEquals(200, asleep.register(calleeAor, server.sipPort(), "udp").contactHere(pn, "").expires(300)
                    .sendAuthenticated(callee, calleePassword).getStatusCode());
            asleep.close();
            assertEquals(200, phone("droid").register("sip:" + droid + "@" + DOMAIN, server.sipPort(), "tcp")
                    .contactHere("", "").header("X-Push", xPush).expires(300)
                    .sendAuthenticated(droid, droidPassword).getStatusCode());
            assertEquals(401, phone("guesser").register(calleeAor, server.sipPort(), "udp").contactHere(pn, "")
                    .expires(300).sendAuthenticated(callee, "wrong-" + calleePassword).getStatusCode());

            SipPhone callerPhone = phone("caller");
            SipPhone.Sent first = callerPhone.invite("sip:" + caller + "@" + DOMAIN, calleeAor, server.sipPort(), "udp");
            Response challenge = first.join(WAIT);
            assertEquals(407, challenge.getStatusCode());
            String offer = challenge.getHeader("Proxy-Authenticate").toString();
            offer = offer.substring(offer.indexOf(':') + 1).trim();
            Request invite = first.transaction().getRequest();
            SipPhone.Sent call = callerPhone.resend(invite, "Proxy-Authorization", DigestAnswer.answer(offer, "INVITE",
                    invite.getRequestURI().toString(), caller, callerPassword, 1));
            assertTrue(pushes.awaitPush(WAIT).contains(APNS_TOKEN), "the push itself carries the token");

            SipPhone woken = phone("woken");
            assertEquals(200, woken.register(calleeAor, server.sipPort(), "udp").contactHere(pn, "").expires(300)
                    .sendAuthenticated(callee, calleePassword).getStatusCode());
            RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
            Calls.answerAndHangUp(callerPhone, call, woken, incoming, WAIT);
            assertEquals(StandaloneServer.EXIT_ON_SIGTERM, server.stop(), server.tail());

            List<String> secrets = new ArrayList<>(List.of(APNS_TOKEN, APNS_TOKEN.substring(6),
                    FCM_TOKEN, FCM_TOKEN.substring(6), calleePassword, callerPassword, droidPassword));
            for (String[] account : List.of(new String[] {callee, calleePassword}, new String[] {caller, callerPassword},
                    new String[] {droid, droidPassword})) {
                String a1 = account[0] + ":" + DOMAIN + ":" + account[1];
                secrets.add(hex("MD5", a1));
                secrets.add(hex("SHA-256", a1));
            }
            List<Path> logs = new ArrayList<>();
            logs.add(server.consoleLog());
            try (Stream<Path> files = Files.walk(server.baseDir().resolve("logs"))) {
                files.filter(Files::isRegularFile).forEach(logs::add);
            }
            assertTrue(logs.size() >= 2, "the console and the log files: " + logs);
            long lines = 0;
            for (Path log : logs) {
                List<String> text = Files.readAllLines(log, StandardCharsets.UTF_8);
                lines += text.size();
                for (String line : text) {
                    for (String secret : secrets) {
                        assertTrue(!line.contains(secret), log.getFileName() + " holds a secret: " + line);
                    }
                }
            }
            assertTrue(lines > 20, "the logs were written: " + lines + " lines");
        }
    }

    private static String hex(String algorithm, String text) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
