-- Registrations (RFC 3261 section 10) with the push settings of each phone.
-- Portable SQL: the same script runs on H2 (embedded default) and PostgreSQL (production).

-- One row per address-of-record that ever registered: a user the server knows, and the row that
-- serialises concurrent REGISTERs for that user (SELECT ... FOR UPDATE) across nodes.
CREATE TABLE sip_user (
    aor        VARCHAR(255) NOT NULL PRIMARY KEY,
    created_at BIGINT       NOT NULL
);

CREATE SEQUENCE binding_seq START WITH 1 INCREMENT BY 50;

CREATE TABLE binding (
    id                 BIGINT        NOT NULL PRIMARY KEY,
    aor                VARCHAR(255)  NOT NULL REFERENCES sip_user (aor),
    contact_uri        VARCHAR(2048) NOT NULL,
    contact_key        VARCHAR(1024) NOT NULL,
    instance_id        VARCHAR(255),
    call_id            VARCHAR(255)  NOT NULL,
    cseq               BIGINT        NOT NULL,
    expires_at         BIGINT        NOT NULL,
    updated_at         BIGINT        NOT NULL,
    received           VARCHAR(255),
    user_agent         VARCHAR(255),
    push_provider      VARCHAR(16),
    push_token         VARCHAR(1024),
    push_message_token VARCHAR(1024),
    push_app_id        VARCHAR(255),
    push_param         VARCHAR(1024),
    call_push          BOOLEAN       NOT NULL,
    message_push       BOOLEAN       NOT NULL,
    push_identity      VARCHAR(1400)
);

CREATE INDEX binding_aor ON binding (aor);
CREATE INDEX binding_expires_at ON binding (expires_at);
CREATE INDEX binding_push_identity ON binding (push_identity);
