package org.sippush.application.auth;

import java.util.Objects;

/**
 * Everything that decides who may use the server and how much.
 *
 * @param authentication whether REGISTERs, and INVITEs/MESSAGEs from untrusted sources, must carry
 *                       a subscriber's digest credentials
 * @param subscribers    provisioning and lookup of subscribers
 * @param digest         challenges and checks of credentials
 * @param trustedPeers   sources whose INVITEs and MESSAGEs need no credentials
 * @param limits         rate and size limits
 */
public record Security(boolean authentication, Subscribers subscribers, DigestAuthenticator digest,
                       TrustedPeers trustedPeers, Limits limits) {

    public Security {
        Objects.requireNonNull(subscribers, "subscribers must not be null");
        Objects.requireNonNull(digest, "digest must not be null");
        Objects.requireNonNull(trustedPeers, "trustedPeers must not be null");
        Objects.requireNonNull(limits, "limits must not be null");
    }
}
