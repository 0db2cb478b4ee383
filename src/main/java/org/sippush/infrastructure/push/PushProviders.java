package org.sippush.infrastructure.push;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.sippush.config.Settings;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.binding.PushSettings;
import org.sippush.domain.push.PushGateway;
import org.sippush.infrastructure.push.apns.ApnsCredentials;
import org.sippush.infrastructure.push.apns.ApnsGateway;
import org.sippush.infrastructure.push.fcm.FcmGateway;
import org.sippush.infrastructure.push.fcm.FcmProject;

/**
 * The push providers the settings configure. Apps are named in {@code push.apps}; each names its
 * bundle id or package name and the credentials of its providers:
 * <pre>
 * push.apps=phone
 * push.app.phone.id=com.example.phone
 * push.app.phone.apns.key-file=/etc/sippush/AuthKey_ABC123DEFG.p8     (token authentication)
 * push.app.phone.apns.team-id=ABCDE12345
 * push.app.phone.apns.key-id=ABC123DEFG
 * push.app.phone.apns.cert-file=/etc/sippush/voip.p12                  (or certificate authentication)
 * push.app.phone.apns.cert-password=...
 * push.app.phone.fcm.project-id=example-phone
 * push.app.phone.fcm.service-account=/etc/sippush/example-phone-firebase.json
 * </pre>
 * With no app configured, every push goes to the fallback ({@code push.provider}: log or webhook)
 * and phones of any app may register; with apps configured, a phone whose app has no credentials
 * for its provider is refused at registration.
 */
public final class PushProviders {

    private final Map<PushProvider, PushGateway> gateways;
    private final ApnsGateway apns;
    private final FcmGateway fcm;

    private PushProviders(ApnsGateway apns, FcmGateway fcm) {
        this.apns = apns;
        this.fcm = fcm;
        this.gateways = new EnumMap<>(PushProvider.class);
        if (apns != null) {
            gateways.put(PushProvider.APNS, apns);
            gateways.put(PushProvider.APNS_SANDBOX, apns);
        }
        if (fcm != null) {
            gateways.put(PushProvider.FCM, fcm);
        }
    }

    public static PushProviders fromSettings(Settings settings, Clock clock) {
        ApnsGateway.Builder apns = null;
        List<FcmProject> projects = new ArrayList<>();
        for (String name : settings.getList("push.apps")) {
            String prefix = "push.app." + name + ".";
            String appId = settings.get(prefix + "id");
            String keyFile = settings.get(prefix + "apns.key-file", "");
            String certFile = settings.get(prefix + "apns.cert-file", "");
            if (!keyFile.isEmpty() && !certFile.isEmpty()) {
                throw new IllegalStateException("App '" + name + "' needs either apns.key-file (.p8) or apns.cert-file"
                        + " (.p12), not both");
            }
            if (!keyFile.isEmpty() || !certFile.isEmpty()) {
                ApnsCredentials credentials = keyFile.isEmpty()
                        ? ApnsCredentials.certificate(Path.of(certFile), settings.get(prefix + "apns.cert-password", ""))
                        : ApnsCredentials.signingKey(Path.of(keyFile), settings.get(prefix + "apns.team-id"),
                                settings.get(prefix + "apns.key-id"));
                if (apns == null) {
                    apns = ApnsGateway.builder().clock(clock);
                }
                apns.app(appId, credentials);
            }
            String serviceAccount = settings.get(prefix + "fcm.service-account", "");
            if (!serviceAccount.isEmpty()) {
                projects.add(FcmProject.of(settings.get(prefix + "fcm.project-id"), Path.of(serviceAccount), appId));
            }
        }
        if (apns != null) {
            String host = settings.get("push.apns.host", "");
            String sandboxHost = settings.get("push.apns.sandbox-host", "");
            String trust = settings.get("push.apns.trust-cert", "");
            if (!host.isEmpty()) {
                apns.productionHost(host);
            }
            if (!sandboxHost.isEmpty()) {
                apns.sandboxHost(sandboxHost);
            }
            apns.port(settings.getInt("push.apns.port", ApnsGateway.DEFAULT_PORT));
            if (!trust.isEmpty()) {
                apns.trustedServerCertificate(Path.of(trust));
            }
        }
        FcmGateway fcm = null;
        if (!projects.isEmpty()) {
            FcmGateway.Builder builder = FcmGateway.builder().projects(projects).clock(clock);
            String endpoint = settings.get("push.fcm.endpoint", "");
            if (!endpoint.isEmpty()) {
                builder.endpoint(URI.create(endpoint));
            }
            fcm = builder.build();
        }
        return new PushProviders(apns == null ? null : apns.build(), fcm);
    }

    /** The gateway of each configured provider. */
    public Map<PushProvider, PushGateway> gateways() {
        return gateways;
    }

    /** Whether any provider has credentials; if none, every app is accepted and pushes go to the fallback. */
    public boolean anyConfigured() {
        return !gateways.isEmpty();
    }

    /** Whether a phone with these push settings can be woken: its app has credentials for its provider. */
    public boolean accepts(PushSettings push) {
        if (!anyConfigured()) {
            return true;
        }
        return switch (push.provider()) {
            case APNS, APNS_SANDBOX -> apns != null && apns.serves(push.appId());
            case FCM -> fcm != null && fcm.serves(push.appId());
        };
    }

    /** Names of the configured providers, for the log. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (apns != null) {
            parts.add(apns.name());
        }
        if (fcm != null) {
            parts.add(fcm.name());
        }
        return parts.isEmpty() ? "none configured" : String.join(", ", parts);
    }
}
