//! Incoming and outgoing webhooks: CRUD with Mattermost's permissions, posting through an incoming hook (channel redirects, overrides, Slack markup, splitting), and firing outgoing hooks after a person's post in a public channel.
//!
//! Permissions follow Mattermost's default roles: managing webhooks
//! (`manage_own_*_webhooks`, `manage_others_*_webhooks`) belongs to team admins and
//! system admins; ordinary team members have neither.
//!
//! Outgoing hooks run off the request path: `create_post` hands the stored post to
//! `Webhooks::spawn_outgoing_webhooks`, which returns at once; the calls, their
//! timeout and the reply posts happen in a spawned task whose failures are only logged.
//! Replies are created as webhook posts, which never trigger outgoing hooks, so a reply
//! that contains the trigger word cannot loop.

mod incoming;
mod outgoing;
mod posting;

use futures_util::future::join_all;
use serde_json::{Map, Value, json};

use super::{Actor, Caller, Error, Result, Services, now_ms};
use crate::domain::attachment::{self, Attachment};
use crate::domain::error_ids;
use crate::domain::post::NewPost;
use crate::domain::webhook::{
    self, DEFAULT_WEBHOOK_USERNAME, IncomingWebhook, IncomingWebhookRequest, JSON_CONTENT_TYPE, MAX_RESPONSE_BYTES, OutgoingWebhook, OutgoingWebhookPayload,
    OutgoingWebhookResponse, PostPriority, RESPONSE_TYPE_COMMENT,
};
use crate::domain::{Channel, Invalid, Paging, Post, User};
use crate::ids::{is_valid_id, new_id};
use crate::outbound::redact_url;
use crate::store::{self, HookFilter};

super::area!(
    /// Incoming and outgoing webhooks.
    Webhooks,
    webhooks
);

/// Webhook settings (Mattermost's `ServiceSettings` keys of the same names).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `EnableIncomingWebhooks`.
    pub enable_incoming: bool,
    /// `EnableOutgoingWebhooks`.
    pub enable_outgoing: bool,
    /// `MaxPostSize` in runes: longer webhook messages are split into several posts.
    pub max_post_size: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings { enable_incoming: true, enable_outgoing: true, max_post_size: crate::domain::post::MAX_MESSAGE_RUNES }
    }
}

/// `GET /hooks/incoming` filters.
#[derive(Debug, Clone, Default)]
pub struct HookListQuery {
    pub team_id: Option<String>,
    pub channel_id: Option<String>,
    pub paging: Paging,
}

/// What a webhook post says before it is resolved into posts (shared by incoming
/// hooks and outgoing hooks' replies).
#[derive(Debug, Clone, Default)]
struct WebhookPost {
    text: String,
    username: String,
    icon_url: String,
    icon_emoji: String,
    props: Map<String, Value>,
    attachments: Option<Value>,
    kind: String,
    priority: Option<PostPriority>,
    display_name: String,
}

/// A post ready to be created.
#[derive(Debug, Clone)]
struct PostPart {
    message: String,
    props: Map<String, Value>,
    kind: String,
    /// `metadata.priority`, on every part.
    priority: Option<Value>,
}

impl Webhooks<'_> {
    fn webhook_settings(&self) -> &WebhookSettings {
        &self.settings().webhooks
    }

    fn require_incoming_enabled(&self) -> Result<()> {
        if self.webhook_settings().enable_incoming {
            Ok(())
        } else {
            Err(Error::Disabled {
                id: error_ids::webhooks::API_INCOMING_WEBHOOK_DISABLED,
                message: "Incoming webhooks have been disabled by the system admin.".into(),
            })
        }
    }

    fn require_outgoing_enabled(&self) -> Result<()> {
        if self.webhook_settings().enable_outgoing {
            Ok(())
        } else {
            Err(Error::Disabled {
                id: error_ids::webhooks::OUTGOING_WEBHOOK_DISABLED,
                message: "Outgoing webhooks have been disabled by the system admin.".into(),
            })
        }
    }

    /// Mattermost's `manage_own_*_webhooks` on `team_id` (plus `manage_others_*` when
    /// the hook is someone else's): both belong to team and system admins.
    async fn require_manage_webhooks(&self, caller: &Caller, team_id: &str) -> Result<()> {
        if caller.is_admin() {
            return Ok(());
        }
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(member) if member.is_admin() => Ok(()),
            Ok(_) | Err(store::Error::NotFound) => Err(Error::forbidden()),
            Err(e) => Err(e.into()),
        }
    }

    /// The override fields an integration may set, blanked when the settings forbid them.
    fn blank_overrides(&self, username: &mut String, icon_url: &mut String) {
        if !self.settings().enable_post_username_override {
            username.clear();
        }
        if !self.settings().enable_post_icon_override {
            icon_url.clear();
        }
    }
}

/// The caller a webhook post is created by: its owner, without a session.
fn webhook_caller(owner: &User, ctx: confab_host::types::PluginContext) -> Caller {
    Caller { actor: Actor::User { user: Box::new(owner.clone()), session_id: String::new() }, ctx }
}
