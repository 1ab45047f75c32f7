-- Server secrets: random keys generated once per database and shared by every node
-- (the key sealing action cookies and trigger ids). `value` is hex.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    create_at BIGINT NOT NULL
);
