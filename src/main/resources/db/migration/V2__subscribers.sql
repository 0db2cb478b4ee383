-- Subscribers (issue 11): who may register an address-of-record. Passwords are never stored, only
-- the digest HA1 hashes for the realm they were made for (MD5 and SHA-256, RFC 8760).
CREATE TABLE subscriber (
    aor        VARCHAR(300) NOT NULL PRIMARY KEY,
    username   VARCHAR(64)  NOT NULL,
    domain     VARCHAR(190) NOT NULL,
    realm      VARCHAR(255) NOT NULL,
    ha1_md5    VARCHAR(32)  NOT NULL,
    ha1_sha256 VARCHAR(64)  NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL
);

CREATE INDEX subscriber_domain ON subscriber (domain, username);
