package org.sippush.infrastructure.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.sippush.domain.message.StoredMessage;

/** A row of {@code stored_message}: a {@link StoredMessage} as the database keeps it (times in epoch ms). */
@Entity
@Table(name = "stored_message")
class MessageRow {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "stored_message_seq")
    @SequenceGenerator(name = "stored_message_seq", sequenceName = "stored_message_seq", allocationSize = 50)
    private Long id;

    @Column(name = "aor", nullable = false, length = 255)
    private String aor;

    @Column(name = "call_id", nullable = false, length = 255)
    private String callId;

    @Column(name = "sender_uri", nullable = false, length = 1024)
    private String senderUri;

    @Column(name = "sender_name", nullable = false, length = 255)
    private String senderName;

    @Column(name = "recipient", nullable = false, length = 1024)
    private String recipient;

    @Column(name = "content_type", nullable = false, length = 255)
    private String contentType;

    @Column(name = "body", nullable = false)
    private byte[] body;

    @Column(name = "notice", nullable = false)
    private boolean notice;

    @Column(name = "received_at", nullable = false)
    private long receivedAt;

    @Column(name = "expires_at", nullable = false)
    private long expiresAt;

    protected MessageRow() {
    }

    MessageRow(StoredMessage message) {
        this.aor = message.aor();
        this.callId = cut(message.callId(), 255);
        this.senderUri = cut(message.senderUri(), 1024);
        this.senderName = cut(message.senderName(), 255);
        this.recipient = cut(message.recipient(), 1024);
        this.contentType = cut(message.contentType(), 255);
        this.body = message.body();
        this.notice = message.notice();
        this.receivedAt = message.receivedAt().toEpochMilli();
        this.expiresAt = message.expiresAt().toEpochMilli();
    }

    private static String cut(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    long id() {
        return id;
    }

    StoredMessage toMessage() {
        return new StoredMessage(id, aor, callId, senderUri, senderName, recipient, contentType, body, notice,
                Instant.ofEpochMilli(receivedAt), Instant.ofEpochMilli(expiresAt));
    }
}
