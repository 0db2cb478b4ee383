package org.sippush.domain.binding;

import java.util.Locale;
import java.util.Optional;

/**
 * The push service that wakes a device. The wire names are the {@code pn-provider} values of RFC 8599,
 * plus {@code apns.dev}, the marker Linphone and Flexisip use for Apple's sandbox (development) gateway.
 */
public enum PushProvider {

    /** Apple Push Notification service, production gateway. */
    APNS("apns"),
    /** Apple Push Notification service, sandbox gateway (development builds of the app). */
    APNS_SANDBOX("apns.dev"),
    /** Firebase Cloud Messaging. */
    FCM("fcm");

    private final String wireName;

    PushProvider(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire: {@code apns}, {@code apns.dev} or {@code fcm}. */
    public String wireName() {
        return wireName;
    }

    /** Whether the tokens of this provider are APNs device tokens (hexadecimal). */
    public boolean isApns() {
        return this == APNS || this == APNS_SANDBOX;
    }

    /** The provider with this wire name, compared case-insensitively; empty for any other name. */
    public static Optional<PushProvider> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (PushProvider provider : values()) {
            if (provider.wireName.equals(lower)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
