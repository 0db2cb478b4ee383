package org.sippush.application.ops;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

import org.sippush.domain.binding.Binding;
import org.sippush.domain.binding.PushSettings;

/**
 * One binding as the operator pages show it. No token in full: the contact loses its RFC 8599
 * {@code pn-*} parameters and the push token is masked.
 *
 * @param contact          the contact URI without its {@code pn-*} parameters
 * @param transport        {@code udp}, {@code tcp}, {@code tls}, ...
 * @param expiresAt        when the binding ends unless refreshed
 * @param provider         the push provider ({@code apns}, {@code fcm}, ...), or empty
 * @param appId            the app's bundle id or package name, or empty
 * @param tokenMasked      the call token's first characters, or empty
 * @param lastRegistration when the phone last registered this contact
 * @param userAgent        the phone's User-Agent, or empty
 */
public record BindingView(String contact, String transport, Instant expiresAt, String provider, String appId,
                          String tokenMasked, Instant lastRegistration, String userAgent) {

    private static final Pattern PUSH_PARAMETER = Pattern.compile("(?i);pn-[^;?>]*");

    public static BindingView of(Binding binding) {
        PushSettings push = binding.push();
        String key = binding.contactKey();
        int at = key.lastIndexOf(";transport=");
        String transport = at < 0 ? "udp" : key.substring(at + ";transport=".length()).toLowerCase(Locale.ROOT);
        return new BindingView(PUSH_PARAMETER.matcher(binding.contactUri()).replaceAll(""), transport,
                binding.expiresAt(), push == null ? "" : push.provider().wireName(), push == null ? "" : push.appId(),
                push == null ? "" : PushSettings.mask(push.callToken()), binding.updatedAt(),
                binding.userAgent() == null ? "" : binding.userAgent());
    }

    /** Whole seconds left at {@code now}, at least 0. */
    public long expiresIn(Instant now) {
        return Math.max(0, (expiresAt.toEpochMilli() - now.toEpochMilli() + 999) / 1000);
    }
}
