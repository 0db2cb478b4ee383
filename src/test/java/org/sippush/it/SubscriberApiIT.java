package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.sippush.domain.subscriber.DigestAlgorithm;
import org.sippush.testsupport.BindingRows;
import org.sippush.testsupport.StandaloneServer;

/**
 * The provisioning API on the standalone server as users run it (sip.domains example.test, the
 * admin user of conf/tomcat-users.xml), driven as the README's curl commands drive it: HTTP BASIC,
 * JSON in and out, a password that is neither shown nor logged.
 * <p>
 * One server for the class, on an H2 file database of its own opened with AUTO_SERVER so that the
 * test can put bindings in (and read them) while it runs: the SIP side of the branch this was
 * written on did not authenticate REGISTERs yet, so bindings are written as rows rather than by a
 * digest-authenticated REGISTER.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriberApiIT {

    static final String ADMIN = "admin:change-me";
    static final String DOMAIN = "example.test";
    /** A run of hex as long as an MD5 (32) or SHA-256 (64) HA1. */
    static final Pattern HEX_RUN = Pattern.compile("[0-9a-fA-F]{32,}");
    static final Duration LOG_WAIT = Duration.ofSeconds(10);

    private final Path workDir = Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Every password this test sent: none may show up in the server's output. */
    private final Set<String> passwordsSent = ConcurrentHashMap.newKeySet();
    private StandaloneServer server;
    private String dbUrl;

    @BeforeAll
    void startTheServer() {
        dbUrl = "jdbc:h2:file:" + workDir.resolve("subscriber-api-" + UUID.randomUUID()) + ";AUTO_SERVER=TRUE";
        server = StandaloneServer.copyOf("api").database(dbUrl, "sa", "").start();
    }

    @AfterAll
    void stopTheServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withoutTheAdminLoginEverythingIs401() throws Exception {
        String user = newUser();
        String password = newPassword();
        for (Call call : List.of(new Call("GET", "/api/subscribers?domain=" + DOMAIN),
                new Call("GET", item(user)), new Call("DELETE", item(user)), new Call("POST", item(user)),
                new Call("PUT", item(user)).json("{\"password\":\"" + password + "\"}"))) {
            HttpResponse<String> anonymous = send(call.login(null));
            HttpResponse<String> wrongPassword = send(call.login("admin:not-the-password"));
            assertAll(call.toString(),
                    () -> assertEquals(401, anonymous.statusCode(), anonymous.body()),
                    () -> assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "),
                            anonymous.headers().toString()),
                    () -> assertEquals(401, wrongPassword.statusCode(), wrongPassword.body()));
        }
        assertEquals(404, send(new Call("GET", item(user))).statusCode(), "the refused PUT created nothing");
    }

    @Test
    void putCreatesThenChangesAndGetShowsNoSecret() throws Exception {
        String user = newUser();
        String aor = "sip:" + user + "@" + DOMAIN;
        String first = newPassword();
        String second = newPassword();

        HttpResponse<String> created = send(new Call("PUT", item(user)).json("{\"password\": \"" + first + "\"}"));
        assertEquals(201, created.statusCode(), created.body());
        assertJson(created);
        assertEquals(url(item(user)), created.headers().firstValue("Location").orElse(""));
        assertShowsNoSecret(created.body(), user, first);

        HttpResponse<String> before = send(new Call("GET", item(user)));
        HttpResponse<String> changed = send(new Call("PUT", item(user)).json("{\"password\": \"" + second + "\"}"));
        assertEquals(204, changed.statusCode(), changed.body());
        assertEquals("", changed.body());

        HttpResponse<String> shown = send(new Call("GET", item(user)));
        assertEquals(200, shown.statusCode(), shown.body());
        assertJson(shown);
        String body = shown.body();
        assertAll(
                () -> assertEquals(user, field(body, "user")),
                () -> assertEquals(DOMAIN, field(body, "domain")),
                () -> assertEquals(aor, field(body, "aor")),
                () -> assertEquals(DOMAIN, field(body, "realm"), "auth.realm empty: the domain is the realm"),
                () -> assertEquals(field(before.body(), "createdAt"), field(body, "createdAt"), "a change keeps createdAt"),
                () -> assertFalse(Instant.parse(field(body, "updatedAt"))
                        .isBefore(Instant.parse(field(before.body(), "updatedAt"))), "a change moves updatedAt on: " + body),
                () -> assertEquals(List.of("user", "domain", "aor", "realm", "createdAt", "updatedAt"), names(body)));
        assertShowsNoSecret(body, user, first);
        assertShowsNoSecret(body, user, second);

        awaitLine("subscriber " + aor + " created");
        awaitLine("subscriber " + aor + " changed");
        assertPasswordsNeverLogged();
    }

    @Test
    void listsTheSubscribersOfADomainByUser() throws Exception {
        String prefix = newUser();
        String b = prefix + "-b";
        String a = prefix + "-a";
        for (String user : List.of(b, a)) {
            assertEquals(201, send(new Call("PUT", item(user)).json("{\"password\":\"" + newPassword() + "\"}")).statusCode());
        }

        HttpResponse<String> list = send(new Call("GET", "/api/subscribers?domain=" + DOMAIN));
        assertEquals(200, list.statusCode(), list.body());
        assertJson(list);
        String body = list.body().strip();
        assertTrue(body.startsWith("[{") && body.endsWith("}]"), body);
        int first = body.indexOf("\"aor\":\"sip:" + a + "@" + DOMAIN + "\"");
        int second = body.indexOf("\"aor\":\"sip:" + b + "@" + DOMAIN + "\"");
        assertTrue(first > 0 && second > first, "both listed, by user: " + body);
        assertFalse(HEX_RUN.matcher(body).find(), "no HA1 in the list: " + body);

        HttpResponse<String> none = send(new Call("GET", "/api/subscribers/?domain=nobody.test"));
        assertEquals(200, none.statusCode(), none.body());
        assertEquals("[]", none.body().strip());
    }

    @Test
    void deleteRemovesTheSubscriberAndItsBindings() throws Exception {
        String user = newUser();
        String neighbour = newUser();
        String aor = "sip:" + user + "@" + DOMAIN;
        String neighbourAor = "sip:" + neighbour + "@" + DOMAIN;
        for (String u : List.of(user, neighbour)) {
            assertEquals(201, send(new Call("PUT", item(u)).json("{\"password\":\"" + newPassword() + "\"}")).statusCode());
        }
        BindingRows rows = new BindingRows(dbUrl, "sa", "");
        insertBinding(aor, "iphone");
        insertBinding(aor, "android");
        insertBinding(neighbourAor, "phone");
        assertEquals(2, rows.of(aor).size());

        HttpResponse<String> deleted = send(new Call("DELETE", item(user)));
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals("", deleted.body());
        awaitLine("subscriber " + aor + " removed");

        assertEquals(List.of(), rows.of(aor), "the subscriber's bindings went with it");
        assertEquals(1, rows.of(neighbourAor).size(), "another subscriber's binding stays");
        HttpResponse<String> gone = send(new Call("GET", item(user)));
        assertEquals(404, gone.statusCode(), gone.body());
        assertJson(gone);
        assertTrue(gone.body().contains("\"error\":\"no subscriber " + aor + "\""), gone.body());
        HttpResponse<String> again = send(new Call("DELETE", item(user)));
        assertEquals(404, again.statusCode(), again.body());
        assertEquals(200, send(new Call("GET", item(neighbour))).statusCode());
    }

    @Test
    void userPartsWithReservedCharactersTravelPercentEncoded() throws Exception {
        String user = newUser() + ";x?y/z+w";
        String path = "/api/subscribers/" + user.replace(";", "%3B").replace("?", "%3F") + "@" + DOMAIN;

        HttpResponse<String> created = send(new Call("PUT", path).json("{\"password\":\"" + newPassword() + "\"}"));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> shown = send(new Call("GET", path));
        assertEquals(200, shown.statusCode(), shown.body());
        assertEquals(user, field(shown.body(), "user"));
        assertEquals("sip:" + user + "@" + DOMAIN, field(shown.body(), "aor"));
        assertEquals(204, send(new Call("DELETE", path)).statusCode());
    }

    @Test
    void badInputIsRefusedSayingWhatIsWrong() throws Exception {
        String large = "{\"password\":\"" + "x".repeat(5000) + "\"}";
        byte[] notUtf8 = {'{', '"', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        List<Refusal> refusals = List.of(
                new Refusal(new Call("PUT", item(newUser())).json("{\"password\": \"x\""), 400, "malformed JSON: the object is not closed"),
                new Refusal(new Call("PUT", item(newUser())).json("password=x"), 400, "malformed JSON: expected '{'"),
                new Refusal(new Call("PUT", item(newUser())).json(""), 400, "malformed JSON: empty body"),
                new Refusal(new Call("PUT", item(newUser())).json("{\"password\": null}"), 400, "must be a string, not null"),
                new Refusal(new Call("PUT", item(newUser())).json("{}"), 400, "the field \\\"password\\\" is required"),
                new Refusal(new Call("PUT", item(newUser())).json("{\"password\": \"\"}"), 400, "password must not be empty"),
                new Refusal(new Call("PUT", item(newUser())).json("{\"password\": \"a\\u0001b\"}"), 400, "control characters"),
                new Refusal(new Call("PUT", item(newUser())).json("{\"password\": \"x\", \"pasword\": \"y\"}"), 400,
                        "unknown field \\\"pasword\\\""),
                new Refusal(new Call("PUT", item(newUser())).json(large), 400, "larger than 4096 bytes"),
                new Refusal(new Call("PUT", item(newUser())).body("application/json", notUtf8), 400, "not valid UTF-8"),
                new Refusal(new Call("PUT", "/api/subscribers/" + newUser()).json("{\"password\": \"x\"}"), 400,
                        "expected /api/subscribers/{user}@{domain}"),
                new Refusal(new Call("PUT", "/api/subscribers/" + newUser() + "%20x@" + DOMAIN).json("{\"password\": \"x\"}"),
                        400, "user may hold only"),
                new Refusal(new Call("PUT", "/api/subscribers/" + newUser() + "@exa_mple.test").json("{\"password\": \"x\"}"),
                        400, "domain must be a host name"),
                new Refusal(new Call("PUT", "/api/subscribers/" + newUser() + "@other.test").json("{\"password\": \"x\"}"),
                        400, "domain other.test is not served"),
                new Refusal(new Call("GET", "/api/subscribers"), 400, "the query parameter domain is required"),
                new Refusal(new Call("GET", "/api/subscribers?domain=exa_mple.test"), 400, "domain must be a host name"),
                new Refusal(new Call("PUT", item(newUser())).body("text/plain", bytes("{\"password\": \"x\"}")), 415,
                        "Content-Type must be application/json, not text/plain"),
                new Refusal(new Call("PUT", item(newUser())).body(null, bytes("{\"password\": \"x\"}")), 415,
                        "Content-Type must be application/json"),
                new Refusal(new Call("PUT", item(newUser())).body("application/json; charset=ISO-8859-1",
                        bytes("{\"password\": \"x\"}")), 415, "JSON must be UTF-8"),
                new Refusal(new Call("POST", item(newUser())).json("{\"password\": \"x\"}"), 405,
                        "POST is not allowed here; allowed: GET, HEAD, PUT, DELETE"),
                new Refusal(new Call("PATCH", item(newUser())).json("{\"password\": \"x\"}"), 405, "PATCH is not allowed"),
                new Refusal(new Call("PUT", "/api/subscribers").json("{\"password\": \"x\"}"), 405,
                        "PUT is not allowed here; allowed: GET, HEAD"),
                new Refusal(new Call("DELETE", "/api/subscribers?domain=" + DOMAIN), 405, "DELETE is not allowed"));

        List<Executable> checks = new ArrayList<>();
        for (Refusal refusal : refusals) {
            HttpResponse<String> answer = send(refusal.call());
            checks.add(() -> {
                String what = refusal.call() + " -> " + answer.statusCode() + " " + answer.body();
                assertEquals(refusal.status(), answer.statusCode(), what);
                assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
                assertTrue(answer.body().startsWith("{\"error\":\""), what);
                assertTrue(answer.body().contains(refusal.reason()), what + " should say " + refusal.reason());
                if (refusal.status() == 405) {
                    assertTrue(answer.headers().firstValue("Allow").isPresent(), what);
                }
            });
            String path = refusal.call().path();
            if (path.matches("/api/subscribers/[A-Za-z0-9-]+@" + Pattern.quote(DOMAIN))) {
                checks.add(() -> assertEquals(404, send(new Call("GET", path)).statusCode(),
                        "nothing created by " + refusal.call()));
            }
        }
        assertAll(checks);
    }

    // ---------------------------------------------------------------- helpers

    /** A request as the README's curl commands make it, logged in as the admin unless told otherwise. */
    record Call(String method, String path, String contentType, byte[] body, String login) {

        Call(String method, String path) {
            this(method, path, null, null, ADMIN);
        }

        Call json(String json) {
            return body("application/json", bytes(json));
        }

        Call body(String type, byte[] bytes) {
            return new Call(method, path, type, bytes, login);
        }

        Call login(String userAndPassword) {
            return new Call(method, path, contentType, body, userAndPassword);
        }

        @Override
        public String toString() {
            return method + " " + path + (contentType == null ? "" : " (" + contentType + ")")
                    + (login == null ? " without login" : login.equals(ADMIN) ? "" : " as " + login);
        }
    }

    record Refusal(Call call, int status, String reason) {
    }

    private HttpResponse<String> send(Call call) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(call.path())))
                .timeout(Duration.ofSeconds(60))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        if (call.contentType() != null) {
            request.header("Content-Type", call.contentType());
        }
        if (call.login() != null) {
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(call.login().getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + "/sip-push-server" + path;
    }

    private static String item(String user) {
        return "/api/subscribers/" + user + "@" + DOMAIN;
    }

    private static String newUser() {
        return "u" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String newPassword() {
        String password = "pw-" + UUID.randomUUID();
        passwordsSent.add(password);
        return password;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertJson(HttpResponse<String> response) {
        assertEquals("application/json;charset=UTF-8", response.headers().firstValue("Content-Type").orElse("")
                .replace(" ", ""), response.headers().toString());
    }

    /** Neither the password nor any HA1, as hex of MD5 or SHA-256 length. */
    private static void assertShowsNoSecret(String body, String user, String password) {
        assertAll(
                () -> assertFalse(body.contains(password), "the password is shown: " + body),
                () -> assertFalse(body.contains(DigestAlgorithm.MD5.ha1(user, DOMAIN, password)), body),
                () -> assertFalse(body.contains(DigestAlgorithm.SHA_256.ha1(user, DOMAIN, password)), body),
                () -> assertFalse(HEX_RUN.matcher(body).find(), "a hash is shown: " + body));
    }

    private void assertPasswordsNeverLogged() {
        for (String line : server.output()) {
            for (String password : passwordsSent) {
                assertFalse(line.contains(password), "a password in the server's output: " + line);
            }
        }
    }

    /** Waits (polling the output the server printed so far) for a line ending with {@code text}. */
    private void awaitLine(String text) {
        Awaits.until(() -> server.output().stream().filter(line -> line.endsWith(text)).count(), n -> n == 1, LOG_WAIT);
    }

    /** The value of a string member of a flat JSON object (our own answers: no escapes in them). */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    private static List<String> names(String json) {
        Matcher m = Pattern.compile("\"([A-Za-z]+)\":").matcher(json);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** A binding row as the registrar writes it (with its sip_user row), straight into the database. */
    private void insertBinding(String aor, String device) throws SQLException {
        long now = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection(dbUrl, "sa", "")) {
            try (PreparedStatement user = c.prepareStatement(
                    "merge into sip_user (aor, created_at) key (aor) values (?, ?)")) {
                user.setString(1, aor);
                user.setLong(2, now);
                user.executeUpdate();
            }
            try (PreparedStatement binding = c.prepareStatement("insert into binding (id, aor, contact_uri, contact_key,"
                    + " call_id, cseq, expires_at, updated_at, call_push, message_push) values (?, ?, ?, ?, ?, 1, ?, ?, false, false)")) {
                String contact = "sip:" + device + "@127.0.0.1:" + (20000 + ThreadLocalRandom.current().nextInt(30000));
                // ids far above the registrar's sequence
                binding.setLong(1, 1_000_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L));
                binding.setString(2, aor);
                binding.setString(3, contact);
                binding.setString(4, contact);
                binding.setString(5, UUID.randomUUID().toString());
                binding.setLong(6, now + 600_000);
                binding.setLong(7, now);
                binding.executeUpdate();
            }
        }
    }
}
