-- Plugins' scheduled jobs (the `scheduler` host interface). One row per job; the
-- runner claims due rows atomically, so several nodes can share the table and each
-- run happens once.
--
-- Portable SQL as in 0001: TEXT/BIGINT/BYTEA, times in ms. Never edit this file once merged.

CREATE TABLE plugin_jobs (
    id TEXT PRIMARY KEY,
    plugin_id TEXT NOT NULL,
    -- The plugin's name for the job, unique within the plugin.
    name TEXT NOT NULL,
    -- 'at' (value = the time), 'after' (value = the delay), 'every' (value = the
    -- interval) or 'cron' (cron = the expression).
    kind TEXT NOT NULL,
    value BIGINT NOT NULL DEFAULT 0,
    cron TEXT NOT NULL DEFAULT '',
    payload BYTEA NOT NULL,
    -- When the job is due; while a run is claimed, when that claim lapses (a node that
    -- died mid-run leaves the job due again then).
    next_run_at BIGINT NOT NULL,
    -- When the claimed (or last) run was due.
    due_at BIGINT NOT NULL DEFAULT 0,
    -- Set by the claim of a run in progress, '' otherwise; finishing a run touches the
    -- row only if the token is still its own (a job replaced mid-run keeps its new
    -- schedule).
    claim_token TEXT NOT NULL DEFAULT '',
    runs BIGINT NOT NULL DEFAULT 0,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    UNIQUE (plugin_id, name)
);
CREATE INDEX plugin_jobs_next_run ON plugin_jobs (next_run_at);
