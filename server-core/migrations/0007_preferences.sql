-- Users' preferences (Mattermost's `Preferences`): free-form (category, name) → value
-- pairs the web and mobile apps keep on the server (theme, display settings, shown
-- direct channels, flagged posts, ...).
--
-- Portable SQL as in 0001: TEXT only. Never edit this file once merged.

CREATE TABLE preferences (
    user_id TEXT NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, category, name)
);
