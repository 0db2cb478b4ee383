package org.sippush.infrastructure.persistence;

import java.time.Instant;

import org.sippush.domain.subscriber.Subscriber;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The table row of a {@link Subscriber}. */
@Entity
@Table(name = "subscriber")
class SubscriberRow {

    @Id
    @Column(name = "aor", length = 300)
    private String aor;

    @Column(name = "username", nullable = false, length = 64)
    private String username;

    @Column(name = "domain", nullable = false, length = 190)
    private String domain;

    @Column(name = "realm", nullable = false, length = 255)
    private String realm;

    @Column(name = "ha1_md5", nullable = false, length = 32)
    private String ha1Md5;

    @Column(name = "ha1_sha256", nullable = false, length = 64)
    private String ha1Sha256;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    protected SubscriberRow() {
    }

    SubscriberRow(Subscriber subscriber) {
        this.aor = subscriber.aor();
        copy(subscriber);
    }

    void copy(Subscriber subscriber) {
        username = subscriber.user();
        domain = subscriber.domain();
        realm = subscriber.realm();
        ha1Md5 = subscriber.ha1Md5();
        ha1Sha256 = subscriber.ha1Sha256();
        createdAt = subscriber.createdAt().toEpochMilli();
        updatedAt = subscriber.updatedAt().toEpochMilli();
    }

    Subscriber toSubscriber() {
        return new Subscriber(username, domain, realm, ha1Md5, ha1Sha256, Instant.ofEpochMilli(createdAt),
                Instant.ofEpochMilli(updatedAt));
    }
}
