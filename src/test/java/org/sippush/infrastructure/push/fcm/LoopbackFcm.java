package org.sippush.infrastructure.push.fcm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Google on loopback, as far as a push server sees it: the OAuth 2.0 token endpoint of service accounts
 * ({@code POST /token}, JWT bearer grant, RFC 7523, signature checked against the account's public key) and
 * FCM HTTP v1 ({@code POST /v1/projects/<project>/messages:send}), answering what a test scripts.
 */
public final class LoopbackFcm implements AutoCloseable {

    private static final Pattern SEND = Pattern.compile("/v1/projects/([^/]+)/messages:send");
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /** A {@code messages:send} request as FCM received it. */
    public record Received(String projectId, String path, String authorization, JsonObject body) {

        public JsonObject message() {
            return body.getAsJsonObject("message");
        }
    }

    /** A token request whose JWT was signed by a known service account. */
    record TokenRequest(String clientEmail, String audience, String scope) {
    }

    /** An answer to {@code messages:send}; {@code hold} makes the peer sit on the request until it closes. */
    public record Answer(int status, String body, Map<String, String> headers, boolean hold) {

        public static Answer ok() {
            return new Answer(200, null, Map.of(), false);
        }

        /** FCM's error answer: {@code {"error":{"code":…,"status":…,"details":[{FcmError errorCode}]}}}. */
        static Answer error(int status, String grpcStatus, String fcmErrorCode) {
            String details = fcmErrorCode == null ? ""
                    : ",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\""
                    + fcmErrorCode + "\"}]";
            return new Answer(status, "{\"error\":{\"code\":" + status + ",\"message\":\"" + grpcStatus + " (loopback)\","
                    + "\"status\":\"" + grpcStatus + "\"" + details + "}}", Map.of(), false);
        }

        static Answer held() {
            return new Answer(0, null, Map.of(), true);
        }

        Answer withHeader(String name, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, body, Map.copyOf(more), hold);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-fcm");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, PublicKey> accounts = new ConcurrentHashMap<>();
    private final BlockingQueue<Received> sends = new LinkedBlockingQueue<>();
    private final BlockingQueue<TokenRequest> tokenRequests = new LinkedBlockingQueue<>();
    private final List<String> unexpected = new ArrayList<>();
    private final AtomicInteger sendCount = new AtomicInteger();
    private final AtomicInteger messageIds = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile List<Answer> script = List.of(Answer.ok());
    private volatile Function<String, String> accessTokens = clientEmail -> "test";

    public LoopbackFcm() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Accepts JWTs signed by this account's key. */
    public LoopbackFcm trust(TestServiceAccount account) {
        accounts.put(account.clientEmail(), account.publicKey());
        return this;
    }

    /** The access token each service account (by client e-mail) gets; "test" for all by default. */
    LoopbackFcm accessTokens(Function<String, String> byClientEmail) {
        this.accessTokens = Objects.requireNonNull(byClientEmail);
        return this;
    }

    /** The answers to the next sends, in order; the last one repeats. */
    public LoopbackFcm answer(Answer... answers) {
        this.script = List.of(answers);
        return this;
    }

    public Received nextSend() throws InterruptedException {
        Received received = sends.poll(10, TimeUnit.SECONDS);
        if (received == null) {
            throw new AssertionError("FCM received no messages:send within 10 s");
        }
        return received;
    }

    TokenRequest nextTokenRequest() throws InterruptedException {
        TokenRequest request = tokenRequests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no token request within 10 s");
        }
        return request;
    }

    public int sendCount() {
        return sendCount.get();
    }

    int tokenRequestCount() {
        return tokenRequests.size();
    }

    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] request = exchange.getRequestBody().readAllBytes();
            Matcher send = SEND.matcher(path);
            if ("POST".equals(exchange.getRequestMethod()) && path.equals("/token")) {
                token(exchange, new String(request, StandardCharsets.UTF_8));
            } else if ("POST".equals(exchange.getRequestMethod()) && send.matches()) {
                send(exchange, send.group(1), request);
            } else {
                synchronized (this) {
                    unexpected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                }
                respond(exchange, 404, "{}", Map.of());
            }
        } catch (RuntimeException | InterruptedException e) {
            respond(exchange, 500, "{\"error\":{\"code\":500,\"message\":\"loopback: " + e + "\"}}", Map.of());
        }
    }

    private void token(HttpExchange exchange, String form) throws IOException {
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String assertion = fields.get("assertion");
        if (!JWT_BEARER.equals(fields.get("grant_type")) || assertion == null) {
            respond(exchange, 400, "{\"error\":\"unsupported_grant_type\"}", Map.of());
            return;
        }
        String[] parts = assertion.split("\\.");
        JsonObject claims = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8)).getAsJsonObject();
        String issuer = claims.get("iss").getAsString();
        PublicKey key = accounts.get(issuer);
        if (key == null || !signedBy(key, parts)) {
            respond(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}", Map.of());
            return;
        }
        tokenRequests.add(new TokenRequest(issuer, claims.get("aud").getAsString(),
                claims.has("scope") ? claims.get("scope").getAsString() : ""));
        respond(exchange, 200, "{\"access_token\":\"" + accessTokens.apply(issuer)
                + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}", Map.of());
    }

    private static boolean signedBy(PublicKey key, String[] jwt) {
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            return rs256.verify(Base64.getUrlDecoder().decode(jwt[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private void send(HttpExchange exchange, String projectId, byte[] request) throws IOException, InterruptedException {
        JsonObject body = JsonParser.parseString(new String(request, StandardCharsets.UTF_8)).getAsJsonObject();
        int n = sendCount.incrementAndGet();
        List<Answer> answers = script;
        Answer answer = answers.get(Math.min(n, answers.size()) - 1);
        sends.add(new Received(projectId, exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"), body));
        if (answer.hold()) {
            closing.await();
            return;
        }
        String answerBody = answer.body() != null ? answer.body()
                : "{\"name\":\"projects/" + projectId + "/messages/" + messageIds.incrementAndGet() + "\"}";
        respond(exchange, answer.status(), answerBody, answer.headers());
    }

    private static void respond(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
