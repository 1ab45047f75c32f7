-- Incoming and outgoing webhooks (Mattermost's IncomingWebhooks / OutgoingWebhooks tables).
--
-- Portable as 0001: TEXT/BIGINT only, booleans as 0/1, lists as JSON text, 0 for "never".
-- Deleting a hook sets delete_at (Mattermost keeps the row); an unknown or deleted id
-- answers the same way.

CREATE TABLE incoming_webhooks (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    icon_url TEXT NOT NULL DEFAULT '',
    channel_locked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX incoming_webhooks_team_id ON incoming_webhooks (team_id);
CREATE INDEX incoming_webhooks_user_id ON incoming_webhooks (user_id);

CREATE TABLE outgoing_webhooks (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    creator_id TEXT NOT NULL,
    channel_id TEXT NOT NULL DEFAULT '',
    team_id TEXT NOT NULL,
    -- JSON arrays of strings.
    trigger_words TEXT NOT NULL DEFAULT '[]',
    trigger_when BIGINT NOT NULL DEFAULT 0,
    callback_urls TEXT NOT NULL DEFAULT '[]',
    display_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    icon_url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outgoing_webhooks_team_id ON outgoing_webhooks (team_id);

-- A post's priority (`metadata.priority`: {priority, requested_ack, persistent_notifications})
-- as JSON text, '' for none. Integrations set it (Mattermost keeps it in PostsPriority).
ALTER TABLE posts ADD COLUMN priority TEXT NOT NULL DEFAULT '';
