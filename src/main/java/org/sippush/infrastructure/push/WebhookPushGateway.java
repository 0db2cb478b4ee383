package org.sippush.infrastructure.push;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.Json;
import org.sippush.domain.push.PushGateway;
import org.sippush.domain.push.PushMessage;
import org.sippush.domain.push.PushOutcome;

/**
 * Hands each push to an HTTP endpoint of the operator's (a push relay of their own, or a test
 * peer) as JSON: {@code {"provider":…,"token":…,"app-id":…,"param":…,"expires":…,"payload":{…}}}.
 * 2xx: accepted; 404 or 410: rejected, token gone; other 4xx: rejected; 429 and 5xx: failed
 * (transient), with {@code Retry-After} honoured.
 */
public final class WebhookPushGateway implements PushGateway {

    private final URI endpoint;
    private final HttpClient http;

    public WebhookPushGateway(URI endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "webhook URL must not be null");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushMessage message) {
        PushSettings target = message.target();
        String body = "{\"provider\":" + Json.quote(target.provider().wireName())
                + ",\"token\":" + Json.quote(message.token())
                + ",\"app-id\":" + Json.quote(target.appId())
                + ",\"param\":" + (target.param() == null ? "null" : Json.quote(target.param()))
                + ",\"expires\":" + Json.quote(message.expiresAt().toString())
                + ",\"payload\":" + message.payloadJson() + "}";
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        return new PushOutcome.Failed(message, "webhook unreachable: " + error.getClass().getSimpleName(), -1);
                    }
                    int status = response.statusCode();
                    if (status / 100 == 2) {
                        return new PushOutcome.Accepted(message, "webhook " + status);
                    }
                    if (status == 429 || status >= 500) {
                        long retryAfter = response.headers().firstValue("Retry-After")
                                .map(WebhookPushGateway::seconds).orElse(-1L);
                        return new PushOutcome.Failed(message, "webhook " + status, retryAfter);
                    }
                    return new PushOutcome.Rejected(message, "webhook " + status, status == 404 || status == 410);
                });
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim()) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String name() {
        return "webhook " + endpoint;
    }
}
