-- Login security: wrong passwords in a row per account (Mattermost's `FailedAttempts`).
-- At `MaximumLoginAttempts` the account refuses logins until a successful password
-- change; a successful login resets it. Incremented by one conditional UPDATE, so
-- concurrent wrong guesses cannot count past the maximum.
ALTER TABLE users ADD COLUMN failed_attempts BIGINT NOT NULL DEFAULT 0;
