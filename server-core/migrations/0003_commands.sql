-- Slash commands: custom commands, their delayed-response hooks, user statuses (for
-- /away and /online) and the server secrets that sign trigger ids.
--
-- Portable SQL as in 0001: TEXT/BIGINT/BYTEA, booleans as 0/1, 0 for "never".
-- Never edit this file once merged.

CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    creator_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    -- Mattermost's `trigger`, a keyword in SQL.
    trigger_word TEXT NOT NULL,
    -- 'P' (POST) or 'G' (GET).
    method TEXT NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    icon_url TEXT NOT NULL DEFAULT '',
    auto_complete BIGINT NOT NULL DEFAULT 0,
    auto_complete_desc TEXT NOT NULL DEFAULT '',
    auto_complete_hint TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    plugin_id TEXT NOT NULL DEFAULT '',
    -- Mattermost `AutocompleteData` as JSON text, '' when absent.
    autocomplete_data TEXT NOT NULL DEFAULT '',
    autocomplete_icon_data TEXT NOT NULL DEFAULT ''
);
-- One live command per trigger and team; deleted ones keep their rows.
CREATE UNIQUE INDEX commands_team_trigger_live ON commands (team_id, trigger_word) WHERE delete_at = 0;

-- A `response_url`: valid 30 minutes from create_at, at most 5 uses.
CREATE TABLE command_webhooks (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    command_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    root_id TEXT NOT NULL DEFAULT '',
    use_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX command_webhooks_create_at ON command_webhooks (create_at);

CREATE TABLE user_status (
    user_id TEXT PRIMARY KEY,
    -- online, away, offline or dnd.
    status TEXT NOT NULL,
    manual BIGINT NOT NULL DEFAULT 0,
    last_activity_at BIGINT NOT NULL DEFAULT 0
);

-- Secrets the server generates once and every node shares (e.g. the trigger id key).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL,
    create_at BIGINT NOT NULL
);
