-- Plugin administration: the installed version, where it came from, and the token of
-- the install that put its files in place (crash recovery compares it with the
-- install journal); the admin's settings values per plugin.
ALTER TABLE plugins ADD COLUMN version TEXT NOT NULL DEFAULT '';
-- 'local' (found in the plugin directory), 'upload', 'url' or 'marketplace'.
ALTER TABLE plugins ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE plugins ADD COLUMN install_token TEXT NOT NULL DEFAULT '';

CREATE TABLE plugin_settings (
    plugin_id TEXT PRIMARY KEY,
    -- JSON object: setting key -> value, validated against the manifest's settings_schema.
    settings TEXT NOT NULL,
    update_at BIGINT NOT NULL
);
