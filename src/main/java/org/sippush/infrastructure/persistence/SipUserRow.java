package org.sippush.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An address-of-record that registered at least once; its row is the lock of its bindings. */
@Entity
@Table(name = "sip_user")
class SipUserRow {

    @Id
    @Column(name = "aor", length = 255)
    private String aor;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected SipUserRow() {
    }

    SipUserRow(String aor, long createdAt) {
        this.aor = aor;
        this.createdAt = createdAt;
    }

    String aor() {
        return aor;
    }
}
