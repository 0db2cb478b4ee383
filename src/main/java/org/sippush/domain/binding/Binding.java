package org.sippush.domain.binding;

import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * One registered contact of an address-of-record (RFC 3261 §10), with the push settings its
 * phone sent. Times are epoch milliseconds so that the same schema serves H2 and PostgreSQL.
 */
@Entity
@Table(name = "binding")
public class Binding {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "binding_seq")
    @SequenceGenerator(name = "binding_seq", sequenceName = "binding_seq", allocationSize = 50)
    private Long id;

    @Column(name = "aor", nullable = false, length = 255)
    private String aor;

    /** The Contact URI as the phone sent it. */
    @Column(name = "contact_uri", nullable = false, length = 2048)
    private String contactUri;

    /** The parts of the contact URI that RFC 3261 §19.1.4 compares: scheme, user, host, port, transport. */
    @Column(name = "contact_key", nullable = false, length = 1024)
    private String contactKey;

    /** RFC 5626 {@code +sip.instance}, when the phone sent one. */
    @Column(name = "instance_id", length = 255)
    private String instanceId;

    @Column(name = "call_id", nullable = false, length = 255)
    private String callId;

    @Column(name = "cseq", nullable = false)
    private long cseq;

    @Column(name = "expires_at", nullable = false)
    private long expiresAt;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    /** Where the REGISTER came from: transport, address and port. */
    @Column(name = "received", length = 255)
    private String received;

    /** RFC 3327 Path: the proxies to loose-route through to reach the contact, comma-separated, top first. */
    @Column(name = "path", length = 1000)
    private String path;

    @Column(name = "user_agent", length = 255)
    private String userAgent;

    @Column(name = "push_provider", length = 16)
    private String pushProvider;

    @Column(name = "push_token", length = 1024)
    private String pushToken;

    @Column(name = "push_message_token", length = 1024)
    private String pushMessageToken;

    @Column(name = "push_app_id", length = 255)
    private String pushAppId;

    @Column(name = "push_param", length = 1024)
    private String pushParam;

    @Column(name = "call_push", nullable = false)
    private boolean callPush;

    @Column(name = "message_push", nullable = false)
    private boolean messagePush;

    /** {@link PushSettings#identityKey()}: the same device across addresses. */
    @Column(name = "push_identity", length = 1400)
    private String pushIdentity;

    protected Binding() {
    }

    public Binding(String aor, Contact contact, Instant now) {
        this.aor = Objects.requireNonNull(aor, "aor must not be null");
        refresh(contact, now);
    }

    /** Takes the contact, expiry, ordering and push settings of a newer REGISTER. */
    public final void refresh(Contact contact, Instant now) {
        this.contactUri = contact.uri();
        this.contactKey = contact.key();
        this.instanceId = contact.instanceId();
        this.callId = contact.callId();
        this.cseq = contact.cseq();
        this.expiresAt = now.plusSeconds(contact.expires()).toEpochMilli();
        this.updatedAt = now.toEpochMilli();
        this.received = contact.received();
        this.path = contact.path();
        this.userAgent = contact.userAgent();
        setPush(contact.push());
    }

    private void setPush(PushSettings push) {
        this.pushProvider = push == null ? null : push.provider().wireName();
        this.pushToken = push == null ? null : push.callToken();
        this.pushMessageToken = push == null ? null : push.messageToken();
        this.pushAppId = push == null ? null : push.appId();
        this.pushParam = push == null ? null : push.param();
        this.callPush = push != null && push.callPushAllowed();
        this.messagePush = push != null && push.messagePushAllowed();
        this.pushIdentity = push == null ? null : push.identityKey();
    }

    public Long id() {
        return id;
    }

    public String aor() {
        return aor;
    }

    public String contactUri() {
        return contactUri;
    }

    public String contactKey() {
        return contactKey;
    }

    public String instanceId() {
        return instanceId;
    }

    public String callId() {
        return callId;
    }

    public long cseq() {
        return cseq;
    }

    public Instant expiresAt() {
        return Instant.ofEpochMilli(expiresAt);
    }

    public boolean isLive(Instant now) {
        return expiresAt > now.toEpochMilli();
    }

    /** Whole seconds left, at least 0. */
    public long secondsLeft(Instant now) {
        return Math.max(0, (expiresAt - now.toEpochMilli() + 999) / 1000);
    }

    public String received() {
        return received;
    }

    /** The RFC 3327 Path the contact registered through (comma-separated SIP URIs, top first), or null. */
    public String path() {
        return path;
    }

    public String userAgent() {
        return userAgent;
    }

    public String pushIdentity() {
        return pushIdentity;
    }

    /** The push settings the phone registered, or null when it sent none. */
    public PushSettings push() {
        if (pushProvider == null) {
            return null;
        }
        return new PushSettings(providerNamed(pushProvider), pushToken, pushMessageToken, pushAppId,
                pushParam, callPush, messagePush);
    }

    private static PushProvider providerNamed(String wireName) {
        for (PushProvider provider : PushProvider.values()) {
            if (provider.wireName().equals(wireName)) {
                return provider;
            }
        }
        throw new IllegalStateException("Unknown push provider in the database: " + wireName);
    }

    @Override
    public String toString() {
        return "Binding[" + aor + " -> " + contactUri + ", expires " + expiresAt() + ", push " + push() + "]";
    }
}
