package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sip.RequestEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sippush.config.SettingCatalogue;
import org.sippush.infrastructure.push.apns.MockApns;
import org.sippush.testsupport.Calls;
import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.SipPhone;

import io.netty.channel.nio.NioEventLoopGroup;

/**
 * The distribution as a user installs it: {@code target/sip-push-server-<version>.tar.gz} unpacked
 * by {@code tar} in a new folder, started by its {@code bin/sip-push-server} with only Java
 * ({@code JAVA_HOME}) and {@code SIPPUSH_*} variables (one setting as a {@code -Dsippush.} option
 * on the script's command line), on free ports. It answers OPTIONS and a REGISTER; a push app
 * configured <em>only</em> through variables ({@code SIPPUSH_PUSH_APPS},
 * {@code SIPPUSH_PUSH_APP_PHONE_*}: the shipped settings file names no app) wakes a sleeping iPhone
 * through pushy's mock APNs server and the call reaches it; SIGTERM stops it. It prints every
 * setting with its source at start. What users get out of the box is checked on this start too:
 * without a keystore TLS is off (one INFO line, nothing listens on the TLS port), and nothing is
 * reported to the vendor's statistics host when it stops.
 * <p>
 * Prints how long the start took, from the script's start to the first answered OPTIONS (the
 * README's startup figure); it asserts only that the start fits in {@link #START_TIMEOUT}.
 */
class DistributionIT {

    static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String STARTED = "Server startup in";
    static final String EOF = "\u0000<end of output>";
    static final String VOIP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String APNS = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process server;

    @AfterEach
    void stopEverything() throws Exception {
        if (server != null && server.isAlive()) {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void theTarballStartsByItsScriptAnswersSipPushesThroughAnAppFromVariablesAndStopsOnSigterm() throws Exception {
        Path tarball = Path.of(System.getProperty("it.distribution",
                "target/sip-push-server-0.1.0-SNAPSHOT.tar.gz")).toAbsolutePath();
        assertTrue(Files.isRegularFile(tarball), "mvn package builds " + tarball);
        Path work = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath());
        Path folder = Files.createTempDirectory(work, "distribution-");
        Path home = unpack(tarball, folder);
        Path script = home.resolve("bin/sip-push-server");
        assertTrue(Files.isExecutable(script), script + " is executable");
        assertTrue(Files.isRegularFile(home.resolve("contrib/sip-push-server.service")), "the systemd unit is shipped");

        NioEventLoopGroup group = new NioEventLoopGroup(1);
        toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS));
        MockApns apple = MockApns.start(group);
        toClose.add(apple);

        int sipPort = FreePorts.udpAndTcp();
        int httpPort = FreePorts.tcp();
        int tlsPort = FreePorts.tcp();
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "-Dsippush.push.wait=10")
                .directory(folder.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("SIPPUSH_") || name.equals("JAVA_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS", "-Xmx512m");
        env.put("SIPPUSH_SIP_BIND_ADDRESS", "127.0.0.1");
        env.put("SIPPUSH_SIP_PORT", Integer.toString(sipPort));
        env.put("SIPPUSH_HTTP_PORT", Integer.toString(httpPort));
        env.put("SIPPUSH_SIP_TLS_PORT", Integer.toString(tlsPort));
        env.put("SIPPUSH_SIP_DOMAINS", "example.test");
        env.put("SIPPUSH_AUTH_ENABLED", "false");
        env.put("SIPPUSH_LIMITS_REQUESTS_PER_SECOND", "0");
        // the push app, from variables alone
        env.put("SIPPUSH_PUSH_APPS", "phone");
        env.put("SIPPUSH_PUSH_APP_PHONE_ID", MockApns.APP);
        env.put("SIPPUSH_PUSH_APP_PHONE_APNS_KEY_FILE", MockApns.fixture("signing-key.p8").toString());
        env.put("SIPPUSH_PUSH_APP_PHONE_APNS_TEAM_ID", MockApns.TEAM_ID);
        env.put("SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID", MockApns.KEY_ID);
        env.put("SIPPUSH_PUSH_APNS_HOST", "127.0.0.1");
        env.put("SIPPUSH_PUSH_APNS_SANDBOX_HOST", "127.0.0.1");
        env.put("SIPPUSH_PUSH_APNS_PORT", Integer.toString(apple.port()));
        env.put("SIPPUSH_PUSH_APNS_TRUST_CERT", MockApns.fixture("ca.pem").toString());

        long launched = System.nanoTime();
        server = builder.start();
        server.getOutputStream().close();
        List<String> output = new CopyOnWriteArrayList<>();
        BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> pump(server, folder.resolve("console.log"), output, fresh), "distribution-output");
        pump.setDaemon(true);
        pump.start();
        awaitLine(fresh, STARTED, START_TIMEOUT, output);

        SipPhone prober = phone("prober");
        Response options = prober.send(prober.parse("OPTIONS sip:127.0.0.1:" + sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + prober.port() + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "") + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:prober@example.test>;tag=1\r\nTo: <sip:example.test>\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"));
        double seconds = (System.nanoTime() - launched) / 1e9;
        assertEquals(200, options.getStatusCode(), "OPTIONS");
        System.out.printf("DistributionIT: first OPTIONS answered %.1f s after bin/sip-push-server was started (%s)%n",
                seconds, output.stream().filter(line -> line.contains(STARTED)).findFirst().orElse(""));

        // the startup listing: every setting with its source, the app's keys from the environment
        assertTrue(output.contains("sip-push-server:   push.app.phone.apns.key-id=" + MockApns.KEY_ID
                + " (environment SIPPUSH_PUSH_APP_PHONE_APNS_KEY_ID)"), String.join("\n", output));
        assertTrue(output.contains("sip-push-server:   push.wait=10 (property -Dsippush.push.wait)"), String.join("\n", output));
        assertTrue(output.stream().anyMatch(line -> line.contains("push providers: apns")), String.join("\n", output));
        List<String> listed = output.stream().filter(line -> line.startsWith("sip-push-server:   ")).toList();
        assertEquals(SettingCatalogue.global().size() + SettingCatalogue.perApp().size(), listed.size(),
                "every setting once, the app's too:\n" + String.join("\n", listed));
        assertTrue(listed.contains("sip-push-server:   sip.port=" + sipPort + " (environment SIPPUSH_SIP_PORT)"),
                String.join("\n", listed));
        assertTrue(listed.contains("sip-push-server:   admin.password=**** (file)"), String.join("\n", listed));
        assertTrue(listed.contains("sip-push-server:   push.grace-ms=0 (default)"), String.join("\n", listed));
        assertTrue(output.stream().noneMatch(line -> line.contains("change-me")), "the admin password is never printed");
        // out of the box (no keystore): TLS off, one INFO line, nothing listening on the TLS port
        List<String> tlsOff = output.stream().filter(line -> line.contains("SIP over TLS off")).toList();
        assertEquals(1, tlsOff.size(), String.join("\n", output));
        assertTrue(tlsOff.get(0).contains("INFO") && tlsOff.get(0).contains("no keystore set (sip.tls.keystore"),
                tlsOff.get(0));
        assertThrows(ConnectException.class, () -> connect(tlsPort), "nothing listens on the TLS port");

        // a REGISTER from a sleeping iPhone of the app, then a call that wakes it through APNs
        String callee = "sip:dist" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        SipPhone asleep = SipPhone.start("asleep");
        assertEquals(200, register(asleep, callee, sipPort).getStatusCode(), "REGISTER");
        asleep.close();
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = caller.invite("sip:alice@example.test", callee, sipPort, "udp");
        MockApns.Received push = apple.next();
        String callId = Calls.callId(invite.transaction().getRequest());
        assertEquals("voip", push.header("apns-push-type"));
        assertEquals(MockApns.APP + ".voip", push.header("apns-topic"));
        assertTrue(push.header(":path").endsWith("/3/device/" + VOIP), push.header(":path"));
        assertTrue(push.payload().contains("\"call-id\":\"" + callId + "\""), push.payload());
        SipPhone woken = phone("woken");
        assertEquals(200, register(woken, callee, sipPort).getStatusCode());
        RequestEvent incoming = woken.awaitRequest(Request.INVITE, WAIT);
        assertEquals(callId, Calls.callId(incoming.getRequest()));
        Calls.answerAndHangUp(caller, invite, woken, incoming, WAIT);

        // SIGTERM, as systemctl stop sends it (the script exec'd the JVM: the signal reaches it)
        server.toHandle().destroy();
        assertTrue(server.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "stopped within " + STOP_TIMEOUT
                + " of SIGTERM\n" + String.join("\n", output));
        assertEquals(143, server.exitValue(), "exit status of a JVM ended by SIGTERM");
        pump.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(server.isAlive());
        // Restcomm reports its statistics once when it stops; each attempt is logged ("couldn't send
        // stats data to ..."), even to loopback: with nothing left to report, there is none
        assertTrue(output.stream().noneMatch(line -> line.contains("stats data")), String.join("\n", output));
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), sipPort))) {
            assertTrue(udp.isBound(), "the SIP port is free again");
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        }
    }

    private SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        toClose.add(phone);
        return phone;
    }

    private static Response register(SipPhone phone, String aor, int sipPort) {
        return phone.register(aor, sipPort, "udp").contactHere("", "")
                .header("X-Push", "device-os=ios;device-uid=" + VOIP + "|" + APNS
                        + ";allow-call-push=true;allow-message-push=true;app-id=" + MockApns.APP)
                .expires(300).send();
    }

    /** {@code tar xzf} into {@code folder}; returns the one folder the tarball holds. */
    private static Path unpack(Path tarball, Path folder) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", folder.toString())
                .redirectErrorStream(true).start();
        String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS), "tar finished");
        assertEquals(0, tar.exitValue(), said);
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> top = entries.toList();
            assertEquals(1, top.size(), "one folder in the tarball: " + top);
            assertTrue(top.get(0).getFileName().toString().startsWith("sip-push-server-"), top.toString());
            return top.get(0);
        }
    }

    private static void pump(Process from, Path log, List<String> output, BlockingQueue<String> fresh) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                output.add(line);
                fresh.add(line);
            }
        } catch (IOException e) {
            fresh.add("(reading the server's output failed: " + e + ")");
        } finally {
            fresh.add(EOF);
        }
    }

    private static void awaitLine(BlockingQueue<String> fresh, String text, Duration timeout, List<String> output)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = fresh.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no \"" + text + "\" within " + timeout + "\n" + String.join("\n", output));
            }
            if (line.equals(EOF)) {
                throw new AssertionError("the server ended before \"" + text + "\"\n" + String.join("\n", output));
            }
            if (line.contains(text)) {
                return;
            }
        }
    }
}
