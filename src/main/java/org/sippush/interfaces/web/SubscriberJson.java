package org.sippush.interfaces.web;

import static org.sippush.domain.push.Json.quote;

import java.util.List;
import java.util.stream.Collectors;

import org.sippush.domain.subscriber.Subscriber;

/** What the provisioning API answers, as JSON. A subscriber is shown without its HA1 hashes. */
final class SubscriberJson {

    private SubscriberJson() {
    }

    /** {@code {"user", "domain", "aor", "realm", "createdAt", "updatedAt"}}, times in ISO 8601 (UTC). */
    static String of(Subscriber subscriber) {
        return "{\"user\":" + quote(subscriber.user())
                + ",\"domain\":" + quote(subscriber.domain())
                + ",\"aor\":" + quote(subscriber.aor())
                + ",\"realm\":" + quote(subscriber.realm())
                + ",\"createdAt\":" + quote(subscriber.createdAt().toString())
                + ",\"updatedAt\":" + quote(subscriber.updatedAt().toString()) + "}";
    }

    static String of(List<Subscriber> subscribers) {
        return subscribers.stream().map(SubscriberJson::of).collect(Collectors.joining(",\n ", "[", "]"));
    }

    static String error(String message) {
        return "{\"error\":" + quote(message) + "}";
    }
}
