-- Instant messages (RFC 3428) kept for phones that sleep (issue 10), in the database of the bindings
-- so that any node that receives a phone's REGISTER can deliver them. Portable SQL (H2 and PostgreSQL).

CREATE SEQUENCE stored_message_seq START WITH 1 INCREMENT BY 50;

-- One row per MESSAGE accepted for later delivery; deleted once every device took it, or when it expires.
CREATE TABLE stored_message (
    id           BIGINT        NOT NULL PRIMARY KEY,
    aor          VARCHAR(255)  NOT NULL,
    call_id      VARCHAR(255)  NOT NULL,
    sender_uri   VARCHAR(1024) NOT NULL,
    sender_name  VARCHAR(255)  NOT NULL,
    recipient    VARCHAR(1024) NOT NULL,
    content_type VARCHAR(255)  NOT NULL,
    body         BYTEA         NOT NULL,
    notice       BOOLEAN       NOT NULL,
    received_at  BIGINT        NOT NULL,
    expires_at   BIGINT        NOT NULL
);

CREATE INDEX stored_message_aor ON stored_message (aor, received_at, id);
CREATE INDEX stored_message_expires_at ON stored_message (expires_at);

-- A device (push identity, +sip.instance or contact) that has not yet answered 2xx for a message.
CREATE TABLE message_delivery (
    message_id BIGINT        NOT NULL REFERENCES stored_message (id) ON DELETE CASCADE,
    device     VARCHAR(1400) NOT NULL,
    PRIMARY KEY (message_id, device)
);

CREATE INDEX message_delivery_device ON message_delivery (device);
