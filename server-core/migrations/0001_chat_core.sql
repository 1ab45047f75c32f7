-- Confab's first schema: accounts, teams, channels, posts, reactions, plugin KV and plugin state.
--
-- One file for SQLite and PostgreSQL: only types both understand (TEXT, BIGINT, BYTEA),
-- booleans as BIGINT 0/1, timestamps as BIGINT milliseconds, JSON as TEXT, and 0 (not
-- NULL) for "never" (delete_at, expire_at), as Mattermost stores them.
-- Never edit this file once merged: add 0002_... instead.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL DEFAULT '',
    nickname TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    is_bot BIGINT NOT NULL DEFAULT 0,
    last_password_update BIGINT NOT NULL DEFAULT 0,
    props TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    create_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    csrf_token TEXT NOT NULL,
    device_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE user_access_tokens (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    description TEXT NOT NULL DEFAULT '',
    is_active BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX user_access_tokens_user_id ON user_access_tokens (user_id);

CREATE TABLE bots (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    display_name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    -- A user id, or the plugin id for bots a plugin ensured.
    owner_id TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    allow_open_invite BIGINT NOT NULL DEFAULT 0,
    invite_id TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    roles TEXT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_id ON team_members (user_id);

CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    delete_at BIGINT NOT NULL DEFAULT 0,
    -- '' for direct and group channels, which belong to no team.
    team_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    header TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    creator_id TEXT NOT NULL DEFAULT '',
    last_post_at BIGINT NOT NULL DEFAULT 0,
    total_msg_count BIGINT NOT NULL DEFAULT 0,
    UNIQUE (team_id, name)
);

CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    roles TEXT NOT NULL,
    last_viewed_at BIGINT NOT NULL DEFAULT 0,
    msg_count BIGINT NOT NULL DEFAULT 0,
    mention_count BIGINT NOT NULL DEFAULT 0,
    last_update_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user_id ON channel_members (user_id);

CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    edit_at BIGINT NOT NULL DEFAULT 0,
    delete_at BIGINT NOT NULL DEFAULT 0,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channels (id),
    root_id TEXT NOT NULL DEFAULT '',
    original_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    hashtags TEXT NOT NULL DEFAULT '',
    is_pinned BIGINT NOT NULL DEFAULT 0,
    has_reactions BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX posts_channel_create_at ON posts (channel_id, create_at);
CREATE INDEX posts_channel_update_at ON posts (channel_id, update_at);
CREATE INDEX posts_root_id ON posts (root_id);

CREATE TABLE reactions (
    post_id TEXT NOT NULL REFERENCES posts (id),
    user_id TEXT NOT NULL,
    emoji_name TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
);

CREATE TABLE plugin_kv (
    plugin_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value BYTEA NOT NULL,
    -- LENGTH(value) without a backend-specific function, for the per-plugin quota.
    value_size BIGINT NOT NULL,
    -- 0 = never.
    expire_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plugin_id, key)
);

CREATE TABLE plugins (
    plugin_id TEXT PRIMARY KEY,
    enabled BIGINT NOT NULL,
    -- JSON array of capability strings the admin granted.
    granted TEXT NOT NULL DEFAULT '[]',
    -- Grant whatever the manifest requests (plugins found in the local plugin directory).
    grant_all_requested BIGINT NOT NULL DEFAULT 0,
    installed_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL
);
