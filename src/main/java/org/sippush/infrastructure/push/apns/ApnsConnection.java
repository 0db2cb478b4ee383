package org.sippush.infrastructure.push.apns;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived pushy client for one set of credentials in one environment, built on first use (off
 * the caller's thread: reading the key and building the TLS context is file and crypto work) and shared
 * by every push after that. A client that could not be built is tried again on the next push, so a
 * corrected key file is picked up without a restart.
 */
final class ApnsConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ApnsConnection.class);

    private final ApnsCredentials credentials;
    private final String host;
    private final int port;
    private final Path trustedServerCertificate;
    private final Duration connectTimeout;
    private final EventLoopGroup group;
    private volatile CompletableFuture<ApnsClient> client;

    ApnsConnection(ApnsCredentials credentials, String host, int port, Path trustedServerCertificate,
                   Duration connectTimeout, EventLoopGroup group) {
        this.credentials = credentials;
        this.host = host;
        this.port = port;
        this.trustedServerCertificate = trustedServerCertificate;
        this.connectTimeout = connectTimeout;
        this.group = group;
    }

    /** The client, once built; the future fails if the credentials cannot be loaded. */
    CompletableFuture<ApnsClient> client() {
        CompletableFuture<ApnsClient> current = client;
        if (current == null || current.isCompletedExceptionally()) {
            synchronized (this) {
                current = client;
                if (current == null || current.isCompletedExceptionally()) {
                    current = CompletableFuture.supplyAsync(this::build, group);
                    client = current;
                }
            }
        }
        return current;
    }

    /** The client if it is built already (the path of every push but the first), else null. */
    ApnsClient readyClient() {
        CompletableFuture<ApnsClient> current = client;
        return current == null ? null : current.getNow(null);
    }

    /** Whether a client has been built (or is being built). */
    boolean started() {
        CompletableFuture<ApnsClient> current = client;
        return current != null && !current.isCompletedExceptionally();
    }

    private ApnsClient build() {
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(host, port)
                    .setEventLoopGroup(group)
                    .setConnectionTimeout(connectTimeout);
            if (trustedServerCertificate != null) {
                builder.setTrustedServerCertificateChain(trustedServerCertificate.toFile());
            }
            if (credentials instanceof ApnsCredentials.SigningKey key) {
                builder.setSigningKey(
                        ApnsSigningKey.loadFromPkcs8File(key.p8File().toFile(), key.teamId(), key.keyId()));
            } else if (credentials instanceof ApnsCredentials.Certificate certificate) {
                builder.setClientCredentials(certificate.p12File().toFile(), certificate.password());
            }
            ApnsClient built = builder.build();
            LOG.info("APNs client for {}:{} ready ({})", host, port, describe());
            return built;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("APNs client for {}:{} could not be built ({}): {}", host, port, describe(), e.toString());
            throw new CompletionException(e);
        }
    }

    private String describe() {
        if (credentials instanceof ApnsCredentials.SigningKey key) {
            return "signing key " + key.keyId() + " of team " + key.teamId();
        }
        return "certificate " + ((ApnsCredentials.Certificate) credentials).p12File().getFileName();
    }

    /** Closes the client, if there is one; completes when its connections are closed. */
    CompletableFuture<Void> close() {
        CompletableFuture<ApnsClient> current;
        synchronized (this) {
            current = client;
        }
        if (current == null) {
            return CompletableFuture.completedFuture(null);
        }
        return current.handle((built, error) -> built)
                .thenCompose(built -> built == null ? CompletableFuture.completedFuture(null) : built.close());
    }
}
