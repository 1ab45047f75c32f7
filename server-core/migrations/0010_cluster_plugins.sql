-- Cluster mode: plugin bundles kept in the database, so every node installs what any
-- node installed (also a node that starts later or was down), and each node's plugin
-- statuses with a heartbeat, so `GET /api/v4/plugins/statuses` lists one entry per
-- plugin per live node and a dead node drops out.
--
-- Portable SQL as in 0001: TEXT/BIGINT/BYTEA, times in ms. Never edit this file once merged.

CREATE TABLE plugin_bundles (
    plugin_id TEXT NOT NULL,
    -- The install that put these bytes in place (`plugins.install_token` while they are
    -- the installed version; a staged upgrade has its own token).
    install_token TEXT NOT NULL,
    version TEXT NOT NULL,
    -- Hex SHA-256 of `bytes`, checked before a node unpacks them.
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    -- 1 while the bundle is an upgrade waiting for its permissions to be approved.
    staged BIGINT NOT NULL DEFAULT 0,
    create_at BIGINT NOT NULL,
    PRIMARY KEY (plugin_id, install_token)
);

CREATE TABLE cluster_plugin_statuses (
    node_id TEXT PRIMARY KEY,
    -- JSON array of this node's plugin statuses (Mattermost's shape, without cluster_id).
    statuses TEXT NOT NULL,
    -- Written every few seconds while the node lives; rows older than the expiry are
    -- not listed (and are deleted by the next node that writes).
    heartbeat_at BIGINT NOT NULL
);
