-- Interactive dialogs the server opened (`POST /api/v4/actions/dialogs/open`), each
-- bound to the user it was opened for: a submission is forwarded only to the url and
-- callback id of a dialog opened for the submitting user, so nobody can make the
-- server POST to a URL of their choosing and read the answer.
--
-- Portable SQL as in 0001: TEXT/BIGINT, 0 for "never". Never edit this file once merged.

CREATE TABLE open_dialogs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    url TEXT NOT NULL,
    callback_id TEXT NOT NULL,
    -- The integration's `state`, handed back to it on submission.
    state TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    -- Past this (ms), the dialog can no longer be submitted and is swept away.
    expire_at BIGINT NOT NULL
);
CREATE INDEX open_dialogs_user ON open_dialogs (user_id, url, callback_id);
CREATE INDEX open_dialogs_expire ON open_dialogs (expire_at);
