//! The end-to-end test binary: a real server on a loopback port, real plugin components, a real HTTP client.
//!
//! One binary (linked once) with one module per area:
//! - `system`: ping, request ids, Mattermost error bodies for unknown routes, `/metrics`;
//! - `plugins`: plugin statuses, `/plugins/{id}/...` reaching a plugin's `serve-http`,
//!   and how unknown, hook-less, failed and oversized requests are answered;
//! - `users`: accounts, login, sessions, tokens, cookies and CSRF, admin-only routes;
//! - `login_security`: lock-out after wrong passwords, an admin's reset, and the
//!   429s of the unauthenticated routes' rate limit;
//! - `attachments`: message attachments on posts (shape, ids, validation);
//! - `chat`: teams, channels, posts, reactions, permissions and bad input;
//! - `channel_admin`: who may rename, archive and restore channels (Mattermost's default
//!   roles), and the default channel that can be neither renamed nor archived;
//! - `invalid_text`: NUL characters refused with a 400 in every body, path and query;
//! - `websocket`: hello, the challenge, seq/seq_reply, typing, who gets which event;
//! - `sessions`: sockets closed on logout, token revocation, deactivation and expiry;
//!   removed members cut off; the `Origin` rule for cookie upgrades; CSRF on logout;
//! - `plugin_admin`: uploading, enabling, disabling and removing plugins over the REST
//!   API, hostile bundles, 403s, hot reload under load, signatures, the marketplace;
//! - `plugin_api`: the 0.2.0 plugin API on a real server, and a 0.1.0 plugin beside it;
//! - `plugin_api_channels`: the 0.2.0 channel and team functions (`fx-api-channels`)
//!   against their REST twins, with their events, and refused without permission;
//! - `plugin_api_posts`: the posts host functions (ephemeral changes, threads, channel
//!   histories, pins, reactions) through `fx-api-users-posts`, and their permissions;
//! - `plugin_api_users`: the users host functions (lists, search, statuses, patches,
//!   deactivation) through the same fixture, and their permissions;
//! - `plugin_chat`: the example plugins changing, rejecting, counting and greeting
//!   through the chat core, and the session user on plugin requests;
//! - `plugin_dialogs`: a plugin's interactive dialogs (`fx-dialogs`) opened from its
//!   command and its own button, submitted back to it in process; refusals;
//! - `plugin_p2p`: plugin-to-plugin calls (`fx-p2p` twice): the caller's header, grants,
//!   cycles without waiting on held instances, an A→B→A bounce stopped and quarantined;
//!   plugin-defined metrics on `/metrics`, bounded and removed with the plugin;
//! - `commands`: custom slash commands over real HTTP, delayed answers, permissions,
//!   built-ins and a plugin's command;
//! - `interactive`: buttons, selects and dialogs against a loopback integration;
//! - `poll`: the poll example plugin's command, buttons and KV-kept votes;
//! - `outbound`: a plugin's outbound HTTP (the `fx-outbound` fixture) against loopback
//!   upstreams: ungranted hosts, private addresses and redirects refused, the quota,
//!   the body cap and the deadline;
//! - `issue_tracker`: the issue-tracker example plugin against a fake tracker: REST
//!   calls through `http-outbound`, signed webhooks into subscribed channels;
//! - `todo`: the todo example plugin: lists in KV, items sent as bot DMs, the daily
//!   summary as a scheduled job;
//! - `autolink`: the autolink example plugin: admins' patterns linked in new and edited
//!   posts, kept with save-settings;
//! - `remind`: the remind example plugin: reminders as bot DMs with Complete and Snooze
//!   buttons, and one due while the server was down delivered after the restart;
//! - `hooks`: every hook family called from the service that owns the event;
//! - `hooks_0_2`: the 0.2.0 hooks (vetoes failing open or closed, consumed posts,
//!   deactivation, on-install, settings checked by the plugin);
//! - `jobs`: plugins' scheduled jobs (one-shot, recurring, cancel, restart survival,
//!   the run missed while down, the quota, a job rescheduling itself every millisecond);
//! - `webhooks`: incoming hooks' payload shapes and refusals, hook management, outgoing
//!   hooks calling receivers on loopback (and refused there by default);
//! - `authz_matrix`: every route of the router as anonymous, member, non-member, team
//!   admin and system admin, with the status each gets and no private content leaking
//!   over REST or WebSocket;
//! - `client_routes`: what Mattermost's apps load first (team and channel memberships
//!   with real unread and mention counts, viewing channels, preferences, statuses,
//!   avatars, autocomplete, posts by ids, channel stats) and who may read it;
//! - `webapp`: the embedded web client at `/`, its deep links, and the JSON 404s
//!   that API, hook and plugin paths keep;
//! - `cluster`: several real `confab` processes on one PostgreSQL schema: `kill -9` of
//!   a node under load (no acknowledged post lost, its sockets' clients catch up at
//!   another node), PostgreSQL ending every connection;
//! - `client_library`: the Python `mattermostdriver` (installed from PyPI into
//!   `target/py-client` by the test) logging in, posting and listening.
//!
//! Tests named `sqlite::...` run on SQLite; `postgres::...` on a private schema of
//! `CONFAB_TEST_DATABASE_URL`, and say so on stderr when it is not set.
//!
//! The harness is `confab_e2e` (tests/src/lib.rs). Plugins must be built first:
//! `cargo xtask test` does that, or `cargo xtask plugins` once.

mod attachments;
mod authz_matrix;
mod autolink;
mod channel_admin;
mod chat;
mod client_library;
mod client_routes;
mod cluster;
mod commands;
mod hooks;
mod hooks_0_2;
mod interactive;
mod invalid_text;
mod issue_tracker;
mod jobs;
mod login_security;
mod multilang;
mod outbound;
mod plugin_admin;
mod plugin_api;
mod plugin_api_channels;
mod plugin_api_posts;
mod plugin_api_users;
mod plugin_chat;
mod plugin_dialogs;
mod plugin_p2p;
mod plugins;
mod poll;
mod remind;
mod sessions;
mod system;
mod todo;
mod users;
mod webapp;
mod webhooks;
mod websocket;
