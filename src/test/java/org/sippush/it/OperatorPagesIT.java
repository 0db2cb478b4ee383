package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.sip.RequestEvent;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.sippush.testsupport.PrometheusText;
import org.sippush.testsupport.PushRecorder;
import org.sippush.testsupport.SipPhone;
import org.sippush.testsupport.StandaloneServer;

/**
 * The operator pages, /metrics and /health on the standalone server as users run it (its admin
 * login of conf/tomcat-users.xml), with real phones and a real caller (JAIN-SIP), pushes to a
 * webhook (PushRecorder), the pages driven in headless Chromium (Debian chromium and
 * chromium-driver) and /metrics read with a Prometheus text parser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorPagesIT {

    static final String ADMIN = "admin:change-me";
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String CHROMIUM = System.getProperty("it.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("it.chromedriver", "/usr/bin/chromedriver");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<SipPhone> phones = new ArrayList<>();
    private PushRecorder pushes;
    private StandaloneServer server;

    @BeforeAll
    void startTheServer() throws IOException {
        pushes = new PushRecorder();
        String db = "jdbc:h2:file:" + new File(System.getProperty("it.work.dir", "target/it"), "operator-pages-"
                + UUID.randomUUID()).getAbsolutePath();
        server = StandaloneServer.copyOf("operator-pages").database(db, "sa", "")
                .setting("SIPPUSH_PUSH_PROVIDER", "webhook")
                .setting("SIPPUSH_PUSH_WEBHOOK_URL", pushes.url())
                .setting("SIPPUSH_PUSH_WAIT", "20")
                .start();
    }

    @AfterAll
    void stopTheServer() {
        if (server != null) {
            server.close();
        }
        if (pushes != null) {
            pushes.close();
        }
    }

    @AfterEach
    void stopPhones() {
        phones.forEach(SipPhone::close);
        phones.clear();
        pushes.clear();
    }

    // ---------------------------------------------------------------- login

    @Test
    void thePagesAndMetricsNeedTheAdminLoginAndHealthDoesNot() throws Exception {
        for (String path : List.of("/console/", "/console/users?q=alice", "/console/api/calls", "/console/api/pushes",
                "/console/api/counters", "/console/api/users?q=alice", "/metrics")) {
            HttpResponse<String> anonymous = get(path, null);
            assertEquals(401, anonymous.statusCode(), path);
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "), path);
            assertEquals(401, get(path, "admin:wrong").statusCode(), path);
            assertEquals(200, get(path, ADMIN).statusCode(), path);
        }
        HttpResponse<String> health = get("/health", null);
        assertEquals(200, health.statusCode(), health.body());
        assertAll(
                () -> assertTrue(health.body().contains("\"status\":\"up\""), health.body()),
                () -> assertTrue(health.body().contains("\"database\":{\"reachable\":true}"), health.body()),
                () -> assertTrue(health.body().contains("\"sip\":{\"listening\":true"), health.body()),
                () -> assertTrue(health.body().contains("\"transport\":\"udp\"") && health.body().contains("\"transport\":\"tcp\""),
                        "both SIP connectors checked: " + health.body()));
        assertEquals(400, get("/console/api/users", ADMIN).statusCode(), "a user search without q");
    }

    // ---------------------------------------------------------------- metrics

    @Test
    void metricsMoveAfterACallToAWokenPhone() throws Exception {
        PrometheusText before = metrics();
        String aor = newAor();
        String token = token();

        WokenCall call = wokenCall(aor, token);
        call.woken().respond(call.incoming(), 200, "Contact: <sip:callee@127.0.0.1:" + call.woken().port() + ">");
        Response ok = call.invite().join(WAIT);
        assertEquals(200, ok.getStatusCode(), ok.toString());
        call.caller().ack(ok);

        PrometheusText after = Awaits.until(this::metrics,
                m -> m.value("sippush_calls_held") == 0
                        && delta(before, m, "sippush_pushes_total", "provider", "apns", "outcome", "accepted") >= 1
                        && m.value("sippush_bindings", "provider", "apns") >= 1, WAIT);
        assertAll(
                () -> assertEquals(2, delta(before, after, "sippush_registrations_total", "result", "registered"),
                        "the sleeping phone's REGISTER and the woken one's"),
                () -> assertEquals(1, delta(before, after, "sippush_pushes_total", "provider", "apns", "kind", "call",
                        "outcome", "accepted", "reason", "none")),
                () -> assertEquals(1, delta(before, after, "sippush_calls_held_started_total")),
                () -> assertEquals(1, delta(before, after, "sippush_calls_delivered_total")),
                () -> assertEquals(1, delta(before, after, "sippush_sip_responses_total", "method", "INVITE", "code", "200"),
                        "the woken phone's 200 relayed to the caller"),
                () -> assertEquals(2, delta(before, after, "sippush_sip_responses_total", "method", "REGISTER", "code", "200")),
                () -> assertTrue(after.value("sippush_bindings", "provider", "apns") >= 1, "the phone's binding:\n" + after),
                () -> assertTrue(delta(before, after, "sippush_db_write_batches_total") >= 1,
                        "the REGISTERs were written in batches"),
                () -> assertEquals(1, wakeCount(after) - wakeCount(before), "one wake-up in the histogram"));
    }

    // ---------------------------------------------------------------- pages (Chromium)

    @Test
    void thePagesShowAUsersBindingAndAHeldCallUntilItIsAnswered() {
        String user = "u" + UUID.randomUUID().toString().substring(0, 8);
        String aor = "sip:" + user + "@example.test";
        String token = token();
        int oldPort = killedPhone(aor, token);

        WebDriver browser = chromium();
        try {
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            // log in (HTTP BASIC: the credentials in the first URL, as a browser's login prompt sends them)
            browser.get(url(ADMIN + "@", "/console/"));
            wait.until(b -> !b.findElements(By.id("search")).isEmpty());

            browser.findElement(By.id("q")).sendKeys(user);
            browser.findElement(By.id("find")).click();
            WebElement binding = wait.until(b -> b.findElements(By.cssSelector("tr.binding")).stream().findFirst().orElse(null));
            assertAll(
                    () -> assertEquals(aor, browser.findElement(By.cssSelector("h2.aor")).getText()),
                    () -> assertTrue(binding.findElement(By.className("contact")).getText().contains(":" + oldPort),
                            binding.getText()),
                    () -> assertFalse(binding.findElement(By.className("contact")).getText().contains("pn-"),
                            "the contact is shown without its push parameters"),
                    () -> assertEquals("udp", binding.findElement(By.className("transport")).getText()),
                    () -> assertEquals("apns", binding.findElement(By.className("provider")).getText()),
                    () -> assertEquals("com.example.phone", binding.findElement(By.className("app")).getText()),
                    () -> assertEquals(token.substring(0, 6) + "…", binding.findElement(By.className("token")).getText()),
                    () -> assertFalse(binding.findElement(By.className("registered")).getText().isBlank()),
                    () -> assertFalse(browser.getPageSource().contains(token), "the token is never shown whole"));

            SipPhone caller = phone("caller");
            SipPhone.Sent invite = caller.invite("sip:alice@example.test", aor, server.sipPort(), "udp");
            pushes.awaitPush(WAIT);
            browser.get(url("", "/console/"));
            WebElement held = wait.until(b -> {
                b.navigate().refresh();
                return b.findElements(By.cssSelector("tr.held-call")).stream()
                        .filter(row -> aor.equals(row.findElement(By.className("callee")).getText())
                                && row.getText().contains("accepted"))
                        .findFirst().orElse(null);
            });
            assertAll(
                    () -> assertTrue(held.findElement(By.className("age")).getText().endsWith(" s"), held.getText()),
                    () -> assertEquals("apns com.example.phone " + token.substring(0, 6) + "…: accepted",
                            held.findElement(By.className("device")).getText()),
                    () -> assertFalse(browser.getPageSource().contains(token), "the token is never shown whole"));

            SipPhone woken = phone("woken");
            assertEquals(200, woken.register(aor, server.sipPort(), "udp").contactHere(pn(token), "").expires(300)
                    .send().getStatusCode());
            RequestEvent incoming = woken.awaitRequest("INVITE", WAIT);
            woken.respond(incoming, 200, "Contact: <sip:callee@127.0.0.1:" + woken.port() + ">");
            Response ok = invite.join(WAIT);
            assertEquals(200, ok.getStatusCode());
            caller.ack(ok);
            wait.until(b -> {
                b.navigate().refresh();
                return b.findElements(By.cssSelector("tr.held-call")).stream()
                        .noneMatch(row -> aor.equals(row.findElement(By.className("callee")).getText()));
            });
            WebElement lastPush = browser.findElement(By.id("last-pushes"));
            assertTrue(lastPush.getText().contains("apns") && lastPush.getText().contains("accepted"), lastPush.getText());
        } finally {
            browser.quit();
        }
    }

    @Test
    void theJsonBehindThePagesSaysTheSame() throws Exception {
        String user = "u" + UUID.randomUUID().toString().substring(0, 8);
        String aor = "sip:" + user + "@example.test";
        String token = token();
        killedPhone(aor, token);
        HttpResponse<String> users = get("/console/api/users?q=" + user, ADMIN);
        assertEquals(200, users.statusCode());
        assertAll(
                () -> assertTrue(users.body().startsWith("[{\"aor\":\"" + aor + "\",\"bindings\":[{\"contact\":"), users.body()),
                () -> assertTrue(users.body().contains("\"pushProvider\":\"apns\",\"app\":\"com.example.phone\",\"token\":\""
                        + token.substring(0, 6) + "…\""), users.body()),
                () -> assertFalse(users.body().contains(token), users.body()));
        assertEquals("[]\n", get("/console/api/users?q=nobody-" + user, ADMIN).body());
        assertTrue(get("/console/api/counters", ADMIN).body().startsWith("{\"heldCalls\":"));
        assertTrue(get("/console/?refresh=5", ADMIN).body().contains("<meta http-equiv=\"refresh\" content=\"5\">"),
                "?refresh=5 reloads the overview every 5 s");
        assertTrue(get("/console/api/pushes", ADMIN).body().startsWith("{\"lastByProvider\":{"));
        String overview = get("/console/", ADMIN).body();
        assertAll("plain HTML, nothing fetched from elsewhere",
                () -> assertFalse(overview.contains("<script"), overview),
                () -> assertFalse(overview.contains("src="), overview),
                () -> assertFalse(overview.contains("href=\"http") || overview.contains("href=\"//"), overview),
                () -> assertFalse(overview.contains("<link"), overview));
        assertTrue(get("/status", null).body().startsWith("{\"heldCalls\":"), "the old status URL still answers");
    }

    // ---------------------------------------------------------------- helpers

    record WokenCall(SipPhone caller, SipPhone.Sent invite, SipPhone woken, RequestEvent incoming) {
    }

    private WokenCall wokenCall(String aor, String token) {
        killedPhone(aor, token);
        SipPhone caller = phone("caller");
        SipPhone.Sent invite = caller.invite("sip:alice@example.test", aor, server.sipPort(), "udp");
        pushes.awaitPush(WAIT);
        SipPhone woken = phone("woken");
        assertEquals(200, woken.register(aor, server.sipPort(), "udp").contactHere(pn(token), "").expires(300)
                .send().getStatusCode());
        return new WokenCall(caller, invite, woken, woken.awaitRequest("INVITE", WAIT));
    }

    /** A phone registered with push whose app was then killed: its old contact is silent; returns its port. */
    private int killedPhone(String aor, String token) {
        SipPhone asleep = SipPhone.start("asleep");
        try {
            Response ok = asleep.register(aor, server.sipPort(), "udp").contactHere(pn(token), "").expires(300).send();
            assertEquals(200, ok.getStatusCode(), ok.toString());
            return asleep.port();
        } finally {
            asleep.close();
        }
    }

    private SipPhone phone(String name) {
        SipPhone phone = SipPhone.start(name);
        phones.add(phone);
        return phone;
    }

    private static String pn(String token) {
        return ";pn-provider=apns;pn-prid=" + token + ";pn-param=ABCDE12345.com.example.phone.voip";
    }

    private static String token() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private static String newAor() {
        return "sip:u" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    }

    private PrometheusText metrics() {
        try {
            HttpResponse<String> response = get("/metrics", ADMIN);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            return PrometheusText.parse(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private static long wakeCount(PrometheusText metrics) {
        var wake = metrics.histogram("sippush_wake_delivery_seconds");
        return wake == null ? 0 : wake.getSampleCount();
    }

    private WebDriver chromium() {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "headless Chromium needs the Debian packages chromium and chromium-driver (.ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // root in a container: no sandbox; no shared-memory file system to speak of
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-background-networking");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private String url(String credentials, String path) {
        return "http://" + credentials + "127.0.0.1:" + server.httpPort() + "/sip-push-server" + path;
    }

    private HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("", path))).timeout(Duration.ofSeconds(10)).GET();
        if (credentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
