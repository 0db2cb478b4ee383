package org.sippush.domain.binding;

import java.util.Objects;

/**
 * The normalised push settings of one binding, whichever dialect the phone spoke (PortSIP X-Push,
 * RFC 8599 or Linphone's legacy Contact parameters).
 *
 * @param provider           the push service that wakes the device
 * @param callToken          the token for call pushes (the PushKit VoIP token on iOS, the FCM token on Android)
 * @param messageToken       the token for message pushes (PortSIP's second iOS token, Linphone's "remote"
 *                           token); equals {@code callToken} when the phone gave only one
 * @param appId              the iOS bundle id or the Android package name (for RFC 8599 FCM: the Firebase
 *                           project id); never carries a {@code .voip}, {@code .dev} or {@code .prod} suffix
 * @param param              the RFC 8599 {@code pn-param} as received (percent-escapes decoded), or null
 * @param callPushAllowed    whether the phone wants to be woken for calls
 * @param messagePushAllowed whether the phone wants to be woken for messages
 */
public record PushSettings(PushProvider provider, String callToken, String messageToken, String appId,
                           String param, boolean callPushAllowed, boolean messagePushAllowed) {

    private static final int VISIBLE_TOKEN_CHARS = 6;

    public PushSettings {
        Objects.requireNonNull(provider, "provider must not be null");
        Objects.requireNonNull(callToken, "callToken must not be null");
        Objects.requireNonNull(messageToken, "messageToken must not be null");
        Objects.requireNonNull(appId, "appId must not be null");
        if (callToken.isEmpty()) {
            throw new IllegalArgumentException("callToken must not be empty");
        }
        if (messageToken.isEmpty()) {
            throw new IllegalArgumentException("messageToken must not be empty");
        }
        if (appId.isEmpty()) {
            throw new IllegalArgumentException("appId must not be empty");
        }
    }

    /** Whether the phone wants any push at all; false is how a PortSIP phone turns push off. */
    public boolean pushEnabled() {
        return callPushAllowed || messagePushAllowed;
    }

    /**
     * What identifies the same device across re-registrations from new addresses:
     * {@code wireName + "|" + appId + "|" + callToken}.
     */
    public String identityKey() {
        return provider.wireName() + "|" + appId + "|" + callToken;
    }

    /** Like the record's own, but tokens are cut to their first six characters: logs must not hold them. */
    @Override
    public String toString() {
        return "PushSettings[provider=" + provider
                + ", callToken=" + mask(callToken)
                + ", messageToken=" + mask(messageToken)
                + ", appId=" + appId
                + ", param=" + param
                + ", callPushAllowed=" + callPushAllowed
                + ", messagePushAllowed=" + messagePushAllowed + "]";
    }

    /** A token as logs may show it: its first six characters. */
    public static String mask(String token) {
        // A token no longer than the visible prefix would be printed whole: show nothing of it instead.
        return token.length() > VISIBLE_TOKEN_CHARS ? token.substring(0, VISIBLE_TOKEN_CHARS) + "…" : "…";
    }
}
